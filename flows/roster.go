package flows

// Role says what a person on the roster does.
type Role string

// Roles on the roster.
const (
	RoleCadre  Role = "cadre"  // a 帮扶干部 assigned to households
	RoleLeader Role = "leader" // head of a unit, or county-wide when Unit is empty
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleCadre || r == RoleLeader }

// Cadre is an official on the roster: a cadre serving households or a leader.
type Cadre struct {
	ID    string
	Name  string
	Unit  string // county unit (单位); empty for a county-wide leader
	Role  Role
	Phone string // optional
	// OnRoster is set by the store when the cadre is on the roster in force:
	// someone taken off it holds no role, whatever the record says.
	OnRoster bool
}

// CountyWide reports whether c is a leader who sees the whole county.
func (c Cadre) CountyWide() bool { return c.Role == RoleLeader && c.Unit == "" }

// Household is a household in difficulty, assigned to one cadre.
type Household struct {
	ID      string
	Name    string
	Village string
	CadreID string
	Phone   string // optional
	Address string // optional
}

// Roster is the county office's list of cadres and households, as imported.
type Roster struct {
	Cadres     []Cadre
	Households []Household
}
