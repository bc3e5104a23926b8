package app

import (
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"
)

// parseICEServers reads -rtc-ice-servers: stun:host:port, or
// turn:user:pass@host:port for static TURN credentials.
func parseICEServers(list []string) ([]webrtc.ICEServer, error) {
	var out []webrtc.ICEServer
	for _, s := range list {
		scheme, rest, ok := strings.Cut(s, ":")
		if !ok || (scheme != "stun" && scheme != "stuns" && scheme != "turn" && scheme != "turns") {
			return nil, fmt.Errorf("%q is not a stun: or turn: URL", s)
		}
		srv := webrtc.ICEServer{URLs: []string{s}}
		if creds, host, ok := strings.Cut(rest, "@"); ok {
			user, pass, _ := strings.Cut(creds, ":")
			srv = webrtc.ICEServer{URLs: []string{scheme + ":" + host}, Username: user, Credential: pass}
		}
		out = append(out, srv)
	}
	return out, nil
}
