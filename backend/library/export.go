package library

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ytsum/backend/ytsum"
)

// Format is an export format.
type Format string

// Export formats.
const (
	FormatMarkdown Format = "markdown"
	FormatText     Format = "text"
	FormatJSON     Format = "json"
)

// SummaryFormats are the names one summary exports as (GET /export/{id}),
// LibraryFormats those of the whole library (GET /export): the one list of
// export formats, each accepted by ParseFormat.
var (
	SummaryFormats = []string{"md", "txt", "json"}
	LibraryFormats = []string{"md", "json"}
)

// ExportLibrary renders the whole library as f, named for today (UTC):
// json is one file (ytsum-library-<date>.json, see WriteJSON), markdown a
// zip of one Markdown file per video (ytsum-library-<date>.zip, for
// Obsidian). ctx is checked before the work starts.
func (l *Library) ExportLibrary(ctx context.Context, f Format) (Export, error) {
	if err := ctx.Err(); err != nil {
		return Export{}, ytsum.Wrap(err, ytsum.CodeUnavailable, "cancelled", "The export was cancelled.")
	}
	var buf bytes.Buffer
	stamp := time.Now().UTC().Format("2006-01-02")
	if f == FormatJSON {
		if _, err := l.WriteJSON(&buf); err != nil {
			return Export{}, err
		}
		return Export{FileName: "ytsum-library-" + stamp + ".json", ContentType: "application/json", Data: buf.Bytes()}, nil
	}
	if _, err := l.WriteZip(&buf, f); err != nil {
		return Export{}, err
	}
	return Export{FileName: "ytsum-library-" + stamp + ".zip", ContentType: "application/zip", Data: buf.Bytes()}, nil
}

// ParseFormat accepts "markdown"/"md", "text"/"txt"/"plain" and "json"
// (any case); anything else is an *ytsum.Error with code invalid.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "markdown", "md":
		return FormatMarkdown, nil
	case "text", "txt", "plain":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	}
	return "", ytsum.Errorf(ytsum.CodeInvalid, "export_format", "Export as markdown, text or json (not %q).", s)
}

func (f Format) ext() string {
	switch f {
	case FormatMarkdown:
		return ".md"
	case FormatJSON:
		return ".json"
	}
	return ".txt"
}

func (f Format) contentType() string {
	switch f {
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatJSON:
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// Export is one exported summary, ready to download or write.
type Export struct {
	FileName    string // safe on every OS, e.g. "Title (VIDEOID).md"
	ContentType string
	Data        []byte
}

// ExportOne exports the newest summary of videoID in format. A video with no
// summary is an *ytsum.Error with code not_found.
func (l *Library) ExportOne(videoID string, format Format) (Export, error) {
	if _, err := ParseFormat(string(format)); err != nil {
		return Export{}, err
	}
	s, err := l.Latest(videoID)
	if err != nil {
		return Export{}, err
	}
	data, err := render(s, format)
	if err != nil {
		return Export{}, err
	}
	if format == FormatMarkdown && l.opts.Appendix != nil {
		if more := l.opts.Appendix(videoID); more != "" {
			data = append(append(bytes.TrimRight(data, "\n"), "\n\n"...), more...)
		}
	}
	return Export{FileName: SafeFileName(s.Title, s.ID) + format.ext(), ContentType: format.contentType(), Data: data}, nil
}

func render(s *ytsum.Summary, f Format) ([]byte, error) {
	switch f {
	case FormatMarkdown:
		return Markdown(s), nil
	case FormatText:
		return PlainText(s), nil
	default:
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return nil, ytsum.Wrap(err, ytsum.CodeInternal, "export", "The summary could not be exported.")
		}
		return append(b, '\n'), nil
	}
}

// Markdown renders s as a Markdown note with YAML front matter (video_id,
// title, channel, url, model, style, date, tags), suitable for Obsidian.
func Markdown(s *ytsum.Summary) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	fm := []struct{ k, v string }{
		{"video_id", s.ID}, {"title", s.Title}, {"channel", s.Channel}, {"url", ytsum.WatchURL(s.ID)},
		{"model", s.Model}, {"style", s.Style},
	}
	for _, kv := range fm {
		fmt.Fprintf(&b, "%s: %s\n", kv.k, yamlString(kv.v))
	}
	fmt.Fprintf(&b, "date: %s\n", s.CreatedAt.UTC().Format(time.RFC3339))
	if s.DurationSeconds > 0 {
		fmt.Fprintf(&b, "duration_seconds: %d\n", s.DurationSeconds)
	}
	b.WriteString("tags: [youtube-summary]\n---\n\n")
	fmt.Fprintf(&b, "# %s\n\n", oneLine(s.Title))
	fmt.Fprintf(&b, "[Watch on YouTube](%s)", ytsum.WatchURL(s.ID))
	if s.Channel != "" {
		fmt.Fprintf(&b, " · %s", oneLine(s.Channel))
	}
	b.WriteString("\n\n")
	b.WriteString(strings.TrimSpace(s.Text))
	b.WriteString("\n")
	return b.Bytes()
}

// PlainText renders s as plain text: title, channel, link, details, then
// the summary.
func PlainText(s *ytsum.Summary) []byte {
	var b bytes.Buffer
	b.WriteString(oneLine(s.Title) + "\n")
	if s.Channel != "" {
		b.WriteString(oneLine(s.Channel) + "\n")
	}
	b.WriteString(ytsum.WatchURL(s.ID) + "\n")
	var details []string
	for _, d := range []string{s.Model, s.Style, s.CreatedAt.UTC().Format("2006-01-02")} {
		if d != "" {
			details = append(details, d)
		}
	}
	b.WriteString(strings.Join(details, " · ") + "\n\n")
	b.WriteString(strings.TrimSpace(s.Text) + "\n")
	return b.Bytes()
}

// yamlString quotes s as a YAML double-quoted scalar (JSON string syntax is
// valid YAML 1.2 there), so any title is safe in front matter.
func yamlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ExportReport says what ExportAll wrote.
type ExportReport struct {
	Path  string `json:"path"`
	Files int    `json:"files"`
	Count int    `json:"count"` // summaries exported
}

// ExportAll exports the whole library. FormatMarkdown and FormatText write
// one file per video (its newest summary) into the folder dest, named
// SafeFileName(title, id) plus the extension, replacing files of the same
// name: a folder Obsidian can open as a vault. FormatJSON writes every
// summary (all models and styles) into the one file dest (see WriteJSON).
// Files are written atomically.
func (l *Library) ExportAll(dest string, format Format) (ExportReport, error) {
	if _, err := ParseFormat(string(format)); err != nil {
		return ExportReport{}, err
	}
	fail := func(err error) (ExportReport, error) {
		return ExportReport{}, ytsum.Wrap(err, ytsum.CodeInternal, "export",
			fmt.Sprintf("The library could not be exported to %s; check that the folder is writable and has free space.", dest))
	}
	if format == FormatJSON {
		var buf bytes.Buffer
		n, err := l.WriteJSON(&buf)
		if err != nil {
			return ExportReport{}, err
		}
		if err := writeFileAtomic(filepath.Dir(dest), filepath.Base(dest), buf.Bytes()); err != nil {
			return fail(err)
		}
		return ExportReport{Path: dest, Files: 1, Count: n}, nil
	}
	rep := ExportReport{Path: dest}
	err := l.db.ForEachLatest(func(s *ytsum.Summary) error {
		data, err := render(s, format)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(dest, SafeFileName(s.Title, s.ID)+format.ext(), data); err != nil {
			_, ferr := fail(err)
			return ferr
		}
		rep.Files++
		rep.Count++
		return nil
	})
	return rep, err
}

// jsonFormatName heads the JSON export.
const jsonFormatName = "ytsum-library"

// WriteJSON streams every summary (all models and styles) to w as
// {"format":"ytsum-library","version":1,"exported_at":…,"summaries":[…]}
// and returns how many it wrote.
func (l *Library) WriteJSON(w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\"format\":%q,\"version\":1,\"exported_at\":%q,\"summaries\":[", jsonFormatName,
		time.Now().UTC().Format(time.RFC3339))
	n := 0
	err := l.db.ForEachSummary(func(s *ytsum.Summary) error {
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		bw.Write(b)
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return n, ytsum.Wrap(err, ytsum.CodeInternal, "export", "The library export could not be written.")
	}
	return n, nil
}

// maxNameRunes caps the title part of an exported file name.
const maxNameRunes = 80

// SafeFileName returns "Title (videoID)" made safe as a file name on
// Windows, macOS and Linux and as an Obsidian note name: no path
// separators, no characters Windows or Obsidian links reject (\/:*?"<>|#^[]),
// no control characters, white space collapsed, no leading or trailing dot
// or space, the title cut to 80 characters. The video id keeps names
// unique.
func SafeFileName(title, videoID string) string {
	clean := func(s string, limit int) string {
		var b strings.Builder
		n := 0
		space := false
		for _, r := range s {
			if n >= limit {
				break
			}
			if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || strings.ContainsRune(`\/:*?"<>|#^[]`, r) ||
				unicode.Is(unicode.Cf, r) {
				if !space && b.Len() > 0 {
					b.WriteByte(' ')
					n++
				}
				space = true
				continue
			}
			space = false
			b.WriteRune(r)
			n++
		}
		return strings.Trim(b.String(), " .")
	}
	t := clean(title, maxNameRunes)
	id := clean(videoID, 64)
	if t == "" {
		t = "Untitled"
	}
	if id == "" {
		return t
	}
	return t + " (" + id + ")"
}

// WriteZip streams the library to w as a zip archive of one file per video
// (its newest summary) in format (markdown or text), named like ExportAll's
// files: an Obsidian vault to download. It returns how many files it wrote.
func (l *Library) WriteZip(w io.Writer, format Format) (int, error) {
	if f, err := ParseFormat(string(format)); err != nil || f == FormatJSON {
		return 0, ytsum.Errorf(ytsum.CodeInvalid, "export_format", "A zip export holds markdown or text files.")
	}
	zw := zip.NewWriter(w)
	n := 0
	err := l.db.ForEachLatest(func(s *ytsum.Summary) error {
		data, err := render(s, format)
		if err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: SafeFileName(s.Title, s.ID) + format.ext(), Method: zip.Deflate,
			Modified: s.CreatedAt})
		if err == nil {
			_, err = fw.Write(data)
		}
		if err != nil {
			return ytsum.Wrap(err, ytsum.CodeInternal, "export", "The library export could not be written.")
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	if err := zw.Close(); err != nil {
		return n, ytsum.Wrap(err, ytsum.CodeInternal, "export", "The library export could not be written.")
	}
	return n, nil
}
