// Package demodata holds the built-in roster of the offline demo: two units
// of 嘉荫县, their cadres and leaders, and a dozen households in the villages
// of the 2014 visits.
package demodata

import (
	"bytes"
	_ "embed"

	"github.com/minqing/minqing/flows"
	"github.com/minqing/minqing/internal/roster"
)

//go:embed cadres.csv
var cadres []byte

//go:embed households.csv
var households []byte

// Roster returns the demo roster.
func Roster() (flows.Roster, error) {
	return roster.Parse(
		roster.Source{Name: "cadres.csv", R: bytes.NewReader(cadres), Format: roster.CSV},
		roster.Source{Name: "households.csv", R: bytes.NewReader(households), Format: roster.CSV},
	)
}
