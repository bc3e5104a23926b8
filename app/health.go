package app

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// healthGauge is 1 while ping answers within a second, asked at each
// scrape: what an alert on a lost database or Redis reads.
func healthGauge(name, help string, ping func(context.Context) error) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if ping(ctx) != nil {
			return 0
		}
		return 1
	})
}
