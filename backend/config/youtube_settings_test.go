package config

import "testing"

func TestCheckPlayerClients(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"", true},
		{`[{"name":"ANDROID","id":3,"version":"20.10.38","user_agent":"com.google.android.youtube/20.10.38 (Linux; U; Android 11) gzip"}]`, true},
		{`[{"name":"ANDROID_VR","id":28,"version":"1.65.10","context":{"androidSdkVersion":32}}]`, true},
		{`[]`, false},
		{`{"name":"ANDROID"}`, false},
		{`[{"name":"ANDROID","version":"1"}]`, false},
		{`[{"name":"","id":3,"version":"1"}]`, false},
		{`not json`, false},
	}
	for _, tc := range tests {
		s := Defaults()
		s.YouTubeClients = tc.in
		if got := checkPlayerClients(&s) == ""; got != tc.ok {
			t.Errorf("%s: ok %v; want %v (%s)", tc.in, got, tc.ok, checkPlayerClients(&s))
		}
	}
	if d := Defaults(); d.YouTubePacingMs != 250 || d.ChannelVideoLimit != 10 || d.YouTubeClients != "" {
		t.Errorf("defaults %d %d %q", d.YouTubePacingMs, d.ChannelVideoLimit, d.YouTubeClients)
	}
}
