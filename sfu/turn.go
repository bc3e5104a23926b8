package sfu

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"
)

// TURNConfig turns on the embedded TURN server, for clients whose networks
// block direct UDP to the media port. It relays only to this media server's
// UDP port (see turnguard.go): it is not an open relay. Credentials are the TURN REST kind: valid for
// CredentialTTL, made per participant from a shared secret and handed out
// with the first offer, so nothing is stored.
type TURNConfig struct {
	Enable bool
	Port   int    // UDP and TCP port of the TURN server; 0 picks a free one
	Host   string // host name or IP clients reach the TURN server by
	Realm  string // default "ask2live"
	Secret string // HMAC secret for credentials; random when empty
	// RelayIP is the address relayed traffic leaves from and that clients
	// are told (the public IP behind 1:1 NAT); default the listen IP.
	RelayIP      string
	RelayMinPort uint16 // relay ports, for firewall rules; default 49160
	RelayMaxPort uint16 // default 49999
	// CredentialTTL is how long handed-out credentials work; default 12 h.
	CredentialTTL time.Duration
	// Allocations one credential (one peer connection: an allocation per
	// TURN URL per network interface of the client) and one participant
	// (a reconnect, while the old allocations time out) may hold at once;
	// default 5 and 10.
	MaxAllocationsPerCredential int
	MaxAllocationsPerUser       int
	// AllowLoopback lets relays reach the media port on loopback and
	// link-local addresses: for tests that run everything on 127.0.0.1.
	AllowLoopback bool
}

// turnServer is the running embedded TURN server.
type turnServer struct {
	cfg  TURNConfig
	srv  *turn.Server
	udp  net.PacketConn
	tcp  net.Listener
	urls []string
}

// startTURN starts the server; own says whether an address is this node's,
// and mediaPort is the media server's UDP port, the only one relays reach.
func startTURN(cfg TURNConfig, listenIP net.IP, own func(net.IP) bool, mediaPort int, log *slog.Logger) (*turnServer, error) {
	if cfg.Realm == "" {
		cfg.Realm = "ask2live"
	}
	if cfg.Secret == "" {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		cfg.Secret = base64.RawStdEncoding.EncodeToString(b)
	}
	if cfg.RelayMinPort == 0 {
		cfg.RelayMinPort = 49160
	}
	if cfg.RelayMaxPort == 0 {
		cfg.RelayMaxPort = 49999
	}
	if cfg.RelayMaxPort < cfg.RelayMinPort {
		return nil, fmt.Errorf("TURN relay ports %d-%d: the range is empty", cfg.RelayMinPort, cfg.RelayMaxPort)
	}
	if cfg.CredentialTTL == 0 {
		cfg.CredentialTTL = 12 * time.Hour
	}
	if cfg.MaxAllocationsPerCredential <= 0 {
		cfg.MaxAllocationsPerCredential = 5
	}
	if cfg.MaxAllocationsPerUser <= 0 {
		cfg.MaxAllocationsPerUser = 10
	}
	relayIP := listenIP
	if cfg.RelayIP != "" {
		if relayIP = net.ParseIP(cfg.RelayIP); relayIP == nil {
			return nil, fmt.Errorf("TURN relay address %q is not an IP", cfg.RelayIP)
		}
	}
	if relayIP.IsUnspecified() {
		return nil, errors.New("the TURN server needs a relay address: set the media listen IP or a public IP")
	}
	if cfg.Host == "" {
		cfg.Host = relayIP.String()
	}
	udp, tcp, err := listenBoth(listenIP, cfg.Port)
	if err != nil {
		return nil, err
	}
	// Relays lead only to this media server: a peer address that is not
	// one of ours (or is loopback or link-local) is refused, so credentials
	// cannot reach anything else; the relay sockets also drop datagrams to
	// and from any other port.
	peerIP := func(ip net.IP) bool { return own(ip) && (cfg.AllowLoopback || !localOnly(ip)) && !ip.IsUnspecified() }
	permit := func(_ net.Addr, peer net.IP) bool { return peerIP(peer) }
	toMedia := func(a *net.UDPAddr) bool { return a.Port == mediaPort && peerIP(a.IP) }
	gen := func() turn.RelayAddressGenerator {
		return mediaRelay{RelayAddressGenerator: &turn.RelayAddressGeneratorPortRange{RelayAddress: relayIP,
			Address: listenIP.String(), MinPort: cfg.RelayMinPort, MaxPort: cfg.RelayMaxPort}, allowed: toMedia}
	}
	lf := pionLogs{log}
	rest := turn.LongTermTURNRESTAuthHandler(cfg.Secret, lf.NewLogger("turn"))
	quota := newAllocationQuota(cfg.MaxAllocationsPerCredential, cfg.MaxAllocationsPerUser)
	srv, err := turn.NewServer(turn.ServerConfig{
		Realm: cfg.Realm,
		// Allocations are known by the whole credential ("expiry:participant"),
		// not only the participant, so the quota can count both.
		AuthHandler: func(ra *turn.RequestAttributes) (string, []byte, bool) {
			_, key, ok := rest(ra)
			return ra.Username, key, ok
		},
		QuotaHandler:      quota.admit,
		EventHandler:      turn.EventHandler{OnAllocationCreated: quota.created, OnAllocationDeleted: quota.deleted},
		PacketConnConfigs: []turn.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: gen(), PermissionHandler: permit}},
		ListenerConfigs:   []turn.ListenerConfig{{Listener: tcp, RelayAddressGenerator: gen(), PermissionHandler: permit}},
		LoggerFactory:     lf,
	})
	if err != nil {
		udp.Close()
		tcp.Close()
		return nil, err
	}
	hostPort := net.JoinHostPort(cfg.Host, strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port))
	t := &turnServer{cfg: cfg, srv: srv, udp: udp, tcp: tcp,
		urls: []string{"turn:" + hostPort + "?transport=udp", "turn:" + hostPort + "?transport=tcp"}}
	log.Info("TURN server", slog.String("udp", udp.LocalAddr().String()), slog.String("tcp", tcp.Addr().String()),
		slog.String("relay", relayIP.String()))
	return t, nil
}

// listenBoth opens the TURN port for UDP and TCP. With port 0 the system
// picks a UDP port, which may be taken for TCP: then it tries another.
func listenBoth(ip net.IP, port int) (*net.UDPConn, *net.TCPListener, error) {
	for attempt := 0; ; attempt++ {
		udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port})
		if err != nil {
			return nil, nil, fmt.Errorf("TURN UDP port: %w", err)
		}
		tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: udp.LocalAddr().(*net.UDPAddr).Port})
		if err == nil {
			return udp, tcp, nil
		}
		udp.Close()
		if port != 0 || attempt == 9 {
			return nil, nil, fmt.Errorf("TURN TCP port: %w", err)
		}
	}
}

// iceServer makes a participant's credentials, valid for the TTL.
func (t *turnServer) iceServer(peerID string) (webrtc.ICEServer, error) {
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(t.cfg.Secret, peerID, t.cfg.CredentialTTL)
	if err != nil {
		return webrtc.ICEServer{}, err
	}
	return webrtc.ICEServer{URLs: t.urls, Username: user, Credential: pass}, nil
}

func (t *turnServer) close() error { return t.srv.Close() }

// localIPs are the addresses of this machine's interfaces.
func localIPs() []net.IP {
	addrs, _ := net.InterfaceAddrs()
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ips = append(ips, n.IP)
		}
	}
	return ips
}
