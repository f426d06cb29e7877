package bot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus counters. A nil *Metrics counts nothing.
type Metrics struct {
	updatesIn   prometheus.Counter
	messagesOut *prometheus.CounterVec
	rateLimited prometheus.Counter
}

// NewMetrics registers the bot's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		updatesIn: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "minqing_updates_in_total", Help: "Updates stored in the inbox."}),
		messagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minqing_messages_out_total", Help: "Outbox entries handled, by result (sent, blocked, rejected)."}, []string{"result"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "minqing_telegram_429_total", Help: "Too Many Requests answers from Telegram."}),
	}
	reg.MustRegister(m.updatesIn, m.messagesOut, m.rateLimited)
	return m
}

func (m *Metrics) updateIn() {
	if m != nil {
		m.updatesIn.Inc()
	}
}

func (m *Metrics) out(result string) {
	if m != nil {
		m.messagesOut.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) limited() {
	if m != nil {
		m.rateLimited.Inc()
	}
}
