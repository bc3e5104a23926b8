package app

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// TestSlowBody: a body trickled a byte at a time is cut off at the body
// read timeout with a 408 and the connection closed, while a live-room
// socket opened before it lives on past that timeout.
func TestSlowBody(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db", "-body-read-timeout", "300ms")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host, _, sessionID := liveSession(t, ctx, url, url, "느린 본문")
	sock, err := liveclient.Dial(ctx, url, sessionID, host.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Drop()

	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+
		"Content-Length: 1000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	go func() { // a byte every 100 ms until the server hangs up
		for {
			time.Sleep(100 * time.Millisecond)
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to a trickled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("trickled body: %d, want 408", resp.StatusCode)
	}
	if rest, err := io.ReadAll(br); err != nil && !isReset(err) {
		t.Fatalf("the connection stays open after a 408: %v %q", err, rest)
	}

	// More than the body read timeout has passed since the socket opened.
	if _, err := sock.Do(ctx, live.Command{Type: live.CmdChat, Text: "still here"}); err != nil {
		t.Fatalf("the live socket after the body timeout: %v", err)
	}
}

// TestConnectionsPerAddress: one address holds at most the configured
// number of connections; a closed one frees its place.
func TestConnectionsPerAddress(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db", "-max-conns-per-address", "2")
	defer stop()
	addr := strings.TrimPrefix(url, "http://")
	var conns []net.Conn
	defer func() { // before stop: a shutdown waits 5 s for a connection that never sent a request
		for _, c := range conns {
			c.Close()
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		return c
	}
	first, _ := dial(), dial()
	third := dial()
	third.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := third.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Fatalf("a third connection from one address: %v, want it closed", err)
	}
	first.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := dial()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && resp.StatusCode == 200 {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("closing a connection did not free its place: %v", err)
		}
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}
