// Package flows is Minqing's domain: households, cadres, leaders, requests and
// their lifecycle, and the rules of who may do what. It uses the standard
// library only. Redis lives behind the Store interface declared here
// (store.go: one large interface joined from one per concern — scheduling,
// intake, roster, accounts, requests, privacy), Telegram behind the Notices
// queued in the outbox; internal/app plugs them in. Time always comes in
// from a Clock.
package flows
