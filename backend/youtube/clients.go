package youtube

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PlayerClient is one innertube client the /player endpoint is asked as: a
// source of caption tracks. Which clients still get clean caption URLs
// (without exp=xpe, i.e. without a proof-of-origin token) changes month to
// month, so the list is data: DefaultPlayerClients, overridable by the
// youtube_clients setting (Options.PlayerClients) without a rebuild.
type PlayerClient struct {
	// Name is context.client.clientName, e.g. "ANDROID".
	Name string `json:"name"`
	// ID is the numeric client name sent as X-YouTube-Client-Name.
	ID int `json:"id"`
	// Version is context.client.clientVersion and X-YouTube-Client-Version.
	Version string `json:"version"`
	// UserAgent is the User-Agent header (and context.client.userAgent).
	UserAgent string `json:"user_agent"`
	// APIKey, when set, is sent as ?key= instead of the watch page's key.
	APIKey string `json:"api_key,omitempty"`
	// Context holds further context.client fields (androidSdkVersion,
	// osName, deviceModel…), sent as they are.
	Context map[string]any `json:"context,omitempty"`
	// Source names the public reference the values were taken from.
	Source string `json:"source,omitempty"`
}

// DefaultPlayerClients returns the clients asked for caption tracks, in
// order: ANDROID first (what youtube-transcript-api uses), then clients
// that yt-dlp marks as needing no PO token for subtitles (only its WEB
// clients carry a SUBS_PO_TOKEN_POLICY) and asks without a JavaScript
// player. Each call returns a fresh copy.
func DefaultPlayerClients() []PlayerClient {
	return []PlayerClient{
		{
			Name: "ANDROID", ID: 3, Version: "20.10.38",
			UserAgent: "com.google.android.youtube/20.10.38 (Linux; U; Android 11) gzip",
			Context:   map[string]any{"androidSdkVersion": 30, "osName": "Android", "osVersion": "11"},
			Source: "youtube-transcript-api youtube_transcript_api/_settings.py INNERTUBE_CONTEXT (commit 85c8594, 2026-05-06); " +
				"yt-dlp yt_dlp/extractor/youtube/_base.py INNERTUBE_CLIENTS['android'] for the UA shape",
		},
		{
			Name: "ANDROID_VR", ID: 28, Version: "1.65.10",
			UserAgent: "com.google.android.apps.youtube.vr.oculus/1.65.10 (Linux; U; Android 12L; eureka-user Build/SQ3A.220605.009.A1) gzip",
			Context: map[string]any{"deviceMake": "Oculus", "deviceModel": "Quest 3", "androidSdkVersion": 32,
				"osName": "Android", "osVersion": "12L"},
			Source: "yt-dlp yt_dlp/extractor/youtube/_base.py INNERTUBE_CLIENTS['android_vr'] (commit 81ecd58, 2026-08-20)",
		},
		{
			Name: "VISIONOS", ID: 101, Version: "1.02",
			UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15",
			Context:   map[string]any{"deviceMake": "Apple", "deviceModel": "RealityDevice17,1", "osName": "visionOS", "osVersion": "26.5.23O471"},
			Source: "yt-dlp yt_dlp/extractor/youtube/_base.py INNERTUBE_CLIENTS['visionos'] (commit 81ecd58, 2026-08-20; " +
				"yt-dlp's default client without a JavaScript runtime)",
		},
		{
			Name: "IOS", ID: 5, Version: "21.26.4",
			UserAgent: "com.google.ios.youtube/21.26.4 (iPhone16,2; U; CPU iOS 18_3_2 like Mac OS X;)",
			Context:   map[string]any{"deviceMake": "Apple", "deviceModel": "iPhone16,2", "osName": "iPhone", "osVersion": "18.3.2.22D82"},
			Source:    "yt-dlp yt_dlp/extractor/youtube/_base.py INNERTUBE_CLIENTS['ios'] (commit 81ecd58, 2026-08-20)",
		},
	}
}

// ParsePlayerClients reads the youtube_clients setting: a JSON array of
// PlayerClient. Every entry needs a name, a positive id and a version. An
// empty string means the defaults. The error is a sentence for the
// settings screen.
func ParsePlayerClients(s string) ([]PlayerClient, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultPlayerClients(), nil
	}
	var out []PlayerClient
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("the player clients are not a JSON array of {\"name\",\"id\",\"version\",\"user_agent\"}: %v", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the player clients list is empty; leave the setting empty for the defaults")
	}
	for i, pc := range out {
		if strings.TrimSpace(pc.Name) == "" || pc.ID <= 0 || strings.TrimSpace(pc.Version) == "" {
			return nil, fmt.Errorf("player client %d needs a name, a positive id and a version", i+1)
		}
	}
	return out, nil
}

// playerClients returns the clients to ask now (see Options.PlayerClients).
func (c *Client) playerClients() []PlayerClient {
	var s string
	if c.opts.PlayerClients != nil {
		s = c.opts.PlayerClients()
	}
	pcs, err := ParsePlayerClients(s)
	if err != nil {
		c.log.Warn("youtube: the youtube_clients setting is broken; using the built-in clients", "err", err)
		pcs = DefaultPlayerClients()
	}
	if v := c.opts.AndroidClientVersion; v != "" && s == "" {
		for i := range pcs {
			if pcs[i].Name == "ANDROID" {
				pcs[i].UserAgent = strings.Replace(pcs[i].UserAgent, pcs[i].Version, v, 1)
				pcs[i].Version = v
			}
		}
	}
	return pcs
}
