// Package bot is Minqing's Telegram side: it stores incoming updates in the
// inbox before confirming them, turns them into calls of package flows in
// per-chat order, and sends the outbox's notices rendered from the message
// catalog, within Telegram's limits. No Telegram type crosses into flows.
package bot
