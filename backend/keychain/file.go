package keychain

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// fileStore is the opt-in key file: one JSON object name→value, mode 0600,
// replaced atomically (temp file, fsync, rename). It is safe for concurrent
// use within one process.
type fileStore struct {
	path string
	mu   sync.Mutex
}

type fileDoc struct {
	Warning string            `json:"warning"`
	Keys    map[string]string `json:"keys"`
}

const fileWarning = "Keys kept by YouTube Summarizer because no system keychain was usable. Not encrypted: keep this file private."

func (f *fileStore) load() (map[string]string, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	var d fileDoc
	if err := json.Unmarshal(b, &d); err != nil {
		// Never wrap the decoder's error: it can quote the file's bytes.
		return nil, fmt.Errorf("read %s: not a valid key file", f.path)
	}
	if d.Keys == nil {
		d.Keys = map[string]string{}
	}
	return d.Keys, nil
}

func (f *fileStore) get(name string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return "", false, err
	}
	v, ok := m[name]
	return v, ok, nil
}

func (f *fileStore) count() (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	return len(m), err
}

func (f *fileStore) set(name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[name] = value
	return f.save(m)
}

// delete removes name and reports whether it was there. An empty file is
// removed.
func (f *fileStore) delete(name string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	m, err := f.load()
	if err != nil {
		return false, err
	}
	if _, ok := m[name]; !ok {
		return false, nil
	}
	delete(m, name)
	return true, f.save(m)
}

func (f *fileStore) save(m map[string]string) error {
	if len(m) == 0 {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", f.path, err)
		}
		return nil
	}
	b, err := json.MarshalIndent(fileDoc{Warning: fileWarning, Keys: m}, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".keys-*.tmp")
	if err != nil {
		return fmt.Errorf("create temp file in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil && !isUnsupported(err) {
		tmp.Close()
		return fmt.Errorf("chmod %s: %w", tmp.Name(), err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		return fmt.Errorf("rename to %s: %w", f.path, err)
	}
	return nil
}

// isUnsupported reports a chmod that the OS does not support (Windows keeps
// only the read-only bit; os.CreateTemp already makes the file private
// there through the user's profile ACLs).
func isUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported)
}
