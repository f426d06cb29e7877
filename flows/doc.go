// Package flows is Minqing's domain: households, cadres, leaders, requests and
// their lifecycle, and the rules of who may do what. It uses the standard
// library only; Telegram and Redis live behind the small interfaces declared
// here and are plugged in by main. Time always comes in from a Clock.
package flows
