package youtube

import (
	"context"
	"net/url"
	"strings"
	"unicode"
)

// SplitEntries is the one splitter of submitted links, used by the job
// engine for every front door alike (the HTTP API, the window, the CLI and
// ytsum:// links): one entry per line, blanks dropped. A line of several
// links separated by spaces or commas (as the original app accepted) is
// split too, but only when every piece is a web link; other text stays one
// entry, so it becomes one error item that says why. Safe for concurrent
// use.
func SplitEntries(in []string) []string {
	var out []string
	for _, s := range in {
		for line := range strings.Lines(s) {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
			if len(fields) > 1 && allWebLinks(fields) {
				out = append(out, fields...)
				continue
			}
			out = append(out, line)
		}
	}
	return out
}

// allWebLinks reports whether every field is an http(s) link.
func allWebLinks(fields []string) bool {
	for _, f := range fields {
		if !strings.HasPrefix(f, "http://") && !strings.HasPrefix(f, "https://") {
			return false
		}
	}
	return true
}

// Resolve parses rawURL without the network (see Parse): the job engine's
// view of a submitted link. ctx is accepted for the engine's interface;
// parsing never blocks.
func (c *Client) Resolve(_ context.Context, rawURL string, preferPlaylist bool) (Link, error) {
	return Parse(rawURL, preferPlaylist)
}

// AppLink returns the link a ytsum:// URL carries (the OS hands the app
// such URLs): ytsum://summarize?url=<link>, or ytsum://<link without its
// scheme>. ok is false for anything else.
func AppLink(arg string) (link string, ok bool) {
	rest, ok := strings.CutPrefix(arg, "ytsum://")
	if !ok {
		return "", false
	}
	if u, err := url.Parse(arg); err == nil && u.Query().Get("url") != "" {
		return u.Query().Get("url"), true
	}
	rest = strings.TrimPrefix(rest, "/")
	if rest == "" {
		return "", false
	}
	return "https://" + rest, true
}
