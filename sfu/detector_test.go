package sfu

import (
	"testing"
	"time"
)

// TestSpeakingDetector: loud then quiet levels give speaking then stopped,
// once each, by the RTP clock.
func TestSpeakingDetector(t *testing.T) {
	var events []bool
	d := newDetector(Config{SpeakingLevel: 50, SpeakingAttack: 40 * time.Millisecond, SpeakingHold: 400 * time.Millisecond},
		func(on bool) { events = append(events, on) })
	ts := uint32(0)
	step := func(level uint8, packets int) {
		for i := 0; i < packets; i++ {
			d.observe(level, ts)
			ts += 960 // 20 ms at 48 kHz
		}
	}
	step(100, 10) // silence
	step(30, 1)   // a click: shorter than the attack
	step(100, 5)
	if len(events) != 0 {
		t.Fatalf("a 20 ms click started speaking: %v", events)
	}
	step(30, 10)  // 200 ms of speech
	step(100, 10) // a 200 ms pause: within the hold
	step(40, 5)
	if len(events) != 1 || !events[0] {
		t.Fatalf("after speech with a short pause: %v, want [true]", events)
	}
	step(100, 25) // 500 ms of quiet: past the hold
	if len(events) != 2 || events[1] {
		t.Fatalf("after a long pause: %v, want [true false]", events)
	}
}
