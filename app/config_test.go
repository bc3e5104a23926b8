package app

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfigDefaults(t *testing.T) {
	c, err := ParseConfig(nil, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != "sqlite:data/ask2live.db" || c.RedisURL != "" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestParseConfigEnvThenFlags(t *testing.T) {
	c, err := ParseConfig([]string{"-addr", "127.0.0.1:9000"}, env(map[string]string{
		"ASK2LIVE_ADDR":              "127.0.0.1:7000",
		"ASK2LIVE_DATA_DIR":          "/var/lib/a2l",
		"ASK2LIVE_REDIS_URL":         "redis://127.0.0.1:6379/0",
		"ASK2LIVE_HOST_GONE_TIMEOUT": "90s",
		"ASK2LIVE_RTC_PUBLIC_IPS":    "203.0.113.7, 198.51.100.1",
	}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" {
		t.Errorf("flag should win over env: addr %q", c.Addr)
	}
	if c.DatabaseURL != "sqlite:/var/lib/a2l/ask2live.db" {
		t.Errorf("database url follows data dir: %q", c.DatabaseURL)
	}
	if c.HostGoneTimeout != 90*time.Second || len(c.RTCPublicIPs) != 2 || c.RTCPublicIPs[1] != "198.51.100.1" {
		t.Errorf("env values not applied: %+v", c)
	}
}

func TestParseConfigErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"bad env duration":  {nil, map[string]string{"ASK2LIVE_TOKEN_TTL": "soon"}, "ASK2LIVE_TOKEN_TTL"},
		"bad db scheme":     {[]string{"-database-url", "oracle://x"}, nil, "database-url"},
		"bad redis":         {[]string{"-redis-url", "127.0.0.1:6379"}, nil, "redis-url"},
		"negative":          {[]string{"-send-queue", "0"}, nil, "send-queue"},
		"bad ice server":    {[]string{"-rtc-ice-servers", "http://stun.example"}, nil, "rtc-ice-servers"},
		"bad ip":            {[]string{"-rtc-public-ips", "example.com"}, nil, "rtc-public-ips"},
		"stray arg":         {[]string{"serve"}, nil, "unexpected argument"},
		"bad addr":          {[]string{"-addr", "8080"}, nil, "addr"},
		"bad relay ports":   {[]string{"-turn-relay-ports", "50000-40000"}, nil, "turn-relay-ports"},
		"turn without host": {[]string{"-turn-port", "3478"}, nil, "turn-host"},
		"bad turn port":     {[]string{"-turn-port", "70000", "-turn-host", "turn.example"}, nil, "turn-port"},
		"bad proxy":         {[]string{"-trusted-proxies", "10.0.0.0/8,proxy.example"}, nil, "trusted-proxies"},
		"no avatar pixels":  {nil, map[string]string{"ASK2LIVE_AVATAR_MAX_PIXELS": "0"}, "avatar-max-pixels"},
		"public url scheme": {[]string{"-public-url", "qa.example.com"}, nil, "public-url"},
		"public url path":   {nil, map[string]string{"ASK2LIVE_PUBLIC_URL": "https://qa.example.com/ask"}, "ASK2LIVE_PUBLIC_URL"},
		"public url query":  {[]string{"-public-url", "https://qa.example.com/?x=1"}, nil, "public-url"},
		"no feed fetches":   {[]string{"-calendar-feed-rate", "0"}, nil, "calendar-feed-rate"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig(c.args, env(c.env), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want mention of %q", err, c.want)
			}
		})
	}
}

func TestPublicURL(t *testing.T) {
	for _, u := range []string{"", "https://qa.example.com", "https://qa.example.com/", "http://10.0.0.5:8080"} {
		if _, err := ParseConfig([]string{"-public-url", u}, env(nil), &bytes.Buffer{}); err != nil {
			t.Errorf("-public-url %q: %v", u, err)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "[]"},
		{[]string{"-trust-proxy"}, "[127.0.0.0/8 ::1/128]"},
		{[]string{"-trusted-proxies", "10.1.2.3, 172.16.0.0/12,2001:db8::/32"}, "[10.1.2.3/32 172.16.0.0/12 2001:db8::/32]"},
		{[]string{"-trust-proxy", "-trusted-proxies", "10.0.0.0/8"}, "[10.0.0.0/8]"},
	} {
		cfg, err := ParseConfig(c.args, env(nil), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := cfg.Proxies()
		if fmt.Sprint(got) != c.want {
			t.Errorf("%v: proxies %v, want %s", c.args, got, c.want)
		}
	}
}

func TestHelpListsEveryEnvVar(t *testing.T) {
	var out bytes.Buffer
	_, err := ParseConfig([]string{"--help"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, v := range []string{"ASK2LIVE_ADDR", "ASK2LIVE_DATABASE_URL", "ASK2LIVE_REDIS_URL", "ASK2LIVE_DATA_DIR", "ASK2LIVE_RTC_UDP_PORT"} {
		if !strings.Contains(out.String(), v) {
			t.Errorf("--help does not mention %s", v)
		}
	}
}
