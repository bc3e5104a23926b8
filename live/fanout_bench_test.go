package live

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// BenchmarkBroadcast: one room event written to 1,000 loopback sockets, as
// a room does it; the time is the writing side's (system call and, on
// loopback, the receiving side's network stack), per delivery. Readers
// drain the sockets between broadcasts, outside the timer. Run with
// -cpu 1 to see what one core does.
func BenchmarkBroadcast(b *testing.B) {
	const sockets = 1000
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	h := &Hub{cfg: Config{SendQueue: 256, WriteTimeout: 10 * time.Second}, metrics: newHubMetrics()}
	r := &Room{hub: h, conns: map[*conn]int{}}
	f := textFrame(fmt.Appendf(nil, `{"type":"chat","seq":1,"chat":{"id":"01J","text":"%0200d"}}`, 0))
	var got sync.WaitGroup
	for range sockets {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		server, err := ln.Accept()
		if err != nil {
			b.Fatal(err)
		}
		defer client.Close()
		defer server.Close()
		c := newConn(h, r, newWSConn(server, nil), nil, false)
		r.conns[c] = len(r.list)
		r.list = append(r.list, c)
		go func() {
			br := bufio.NewReader(client)
			buf := make([]byte, len(f))
			for {
				if _, err := io.ReadFull(br, buf); err != nil {
					return
				}
				got.Done()
			}
		}()
	}
	b.ResetTimer()
	for b.Loop() {
		got.Add(sockets)
		r.broadcast(&ringEvent{frame: f})
		b.StopTimer()
		got.Wait()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sockets), "ns/delivery")
}
