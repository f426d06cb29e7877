package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/minqing/minqing/flows"
)

// An import writes the new roster under a new version (see versions.go) in
// chunks, then switches to it in one script that renames the staged
// membership sets onto the live ones and sets the version in force: O(units),
// whatever the roster's size. The journal (key import) says how far an import
// got, so that the next one settles what a killed one left: staged writes
// that were never switched are rolled back; a switched import's follow-ups
// (telling moved households, ending removed officials' roles) are done.

// stageChunk is how many records one staging script writes: a few
// milliseconds of Redis time, so the bot is never held up for long.
const stageChunk = 250

// Journal states.
const (
	stateStaging  = "staging"
	stateSwitched = "switched"
)

// stageScript writes records under a new roster version, keeping the data in
// force in p:<field> (see versions.go) and listing those records in the
// import's set prev:<kind>, and adds the records' ids to the staged set. A
// record whose data in force is the same is left as it is (a re-import
// mostly repeats the roster), which leaves it in force under any version.
//
// KEYS: 1 staged set, 2 the import's prev:<kind> set, 3.. records.
// ARGV: 1 new version, 2 version in force, 3 field count f, 4..3+f field
// names, then per record its id and f values.
var stageScript = redis.NewScript(`
local v, cur, f = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local names, read = {}, {'v'}
for j = 1, f do
  names[j] = ARGV[3 + j]
  read[j + 1] = names[j]
end
local i, ids, kept = 4 + f, {}, {}
for k = 3, #KEYS do
  local key = KEYS[k]
  local old = redis.call('HMGET', key, unpack(read))
  local was = tonumber(old[1] or '0')
  local inforce = old[2] and was <= cur
  local same = inforce
  for j = 1, f do
    if same and (old[j + 1] or '') ~= ARGV[i + j] then same = false end
  end
  if not same then
    if inforce then
      local set = {'pv', tostring(was)}
      for j = 1, f do
        set[#set + 1] = 'p:' .. names[j]
        set[#set + 1] = old[j + 1] or ''
      end
      redis.call('HSET', key, unpack(set))
      kept[#kept + 1] = ARGV[i]
    end
    local set = {'v', v}
    for j = 1, f do
      set[#set + 1] = names[j]
      set[#set + 1] = ARGV[i + j]
    end
    redis.call('HSET', key, unpack(set))
  end
  ids[#ids + 1] = ARGV[i]
  i = i + 1 + f
end
if #ids > 0 then redis.call('SADD', KEYS[1], unpack(ids)) end
if #kept > 0 then redis.call('SADD', KEYS[2], unpack(kept)) end
return 1
`)

// rollbackScript restores records an import wrote but never switched to:
// the data in force comes back from p:<field>; a record that had none loses
// its roster fields (its code stays).
//
// KEYS: 1.. records. ARGV: 1 the import's version, 2 field count f, 3..2+f
// field names.
var rollbackScript = redis.NewScript(`
local f = tonumber(ARGV[2])
local names, prev = {}, {'pv'}
for j = 1, f do
  names[j] = ARGV[2 + j]
  prev[j + 1] = 'p:' .. names[j]
end
for k = 1, #KEYS do
  local key = KEYS[k]
  if redis.call('HGET', key, 'v') == ARGV[1] then
    local pv = redis.call('HGET', key, 'pv')
    if pv then
      local old = redis.call('HMGET', key, unpack(prev, 2))
      local set = {'v', pv}
      for j = 1, f do
        set[#set + 1] = names[j]
        set[#set + 1] = old[j] or ''
      end
      redis.call('HSET', key, unpack(set))
      redis.call('HDEL', key, unpack(prev))
    else
      redis.call('HDEL', key, 'v', unpack(names))
    end
  end
end
return 1
`)

// switchScript makes a staged roster the roster in force: the staged sets
// replace the live ones (UNLINK frees a large old set in the background)
// and the version in force becomes the import's, in one step.
//
// KEYS: 1 lock, 2 version in force, 3 journal, then pairs of live set and
// staged set. ARGV: 1 lock token, 2 version the import replaces, 3 its
// version.
var switchScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lock' end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 'moved' end
if redis.call('HGET', KEYS[3], 'v') ~= ARGV[3] then return 'journal' end
for k = 4, #KEYS, 2 do
  redis.call('UNLINK', KEYS[k])
  if redis.call('EXISTS', KEYS[k + 1]) == 1 then redis.call('RENAME', KEYS[k + 1], KEYS[k]) end
end
redis.call('SET', KEYS[2], ARGV[3])
redis.call('HSET', KEYS[3], 'state', 'switched')
return 'ok'
`)

// rosterImport is an import in progress; it holds the import lock.
type rosterImport struct {
	s       *Store
	lock    *importLock
	pending *flows.ImportJournal
	version int64 // 0 until Stage starts
	base    int64 // the version in force when staging started
	units   []string
	done    bool // switched
}

// BeginImport implements flows.RosterStore.
func (s *Store) BeginImport(ctx context.Context) (flows.RosterImport, error) {
	lock, err := s.takeImportLock(ctx)
	if err != nil {
		return nil, err
	}
	imp := &rosterImport{s: s, lock: lock}
	j, err := s.rdb.HGetAll(ctx, s.k.journal()).Result()
	if err != nil {
		lock.release(ctx)
		return nil, fmt.Errorf("import journal: %w", err)
	}
	v := versionOf(j["v"])
	switch j["state"] {
	case stateStaging: // an import killed before its switch
		if err := s.rollback(ctx, v); err != nil {
			lock.release(ctx)
			return nil, err
		}
	case stateSwitched: // one killed after it: its follow-ups are due
		imp.pending = &flows.ImportJournal{Version: v}
	}
	return imp, nil
}

// Pending implements flows.RosterImport.
func (imp *rosterImport) Pending() *flows.ImportJournal { return imp.pending }

// Stage implements flows.RosterImport.
func (imp *rosterImport) Stage(ctx context.Context, r flows.Roster) error {
	s := imp.s
	if imp.pending != nil {
		return errors.New("stage roster: the follow-ups of an earlier import are not finished")
	}
	if imp.version != 0 {
		return errors.New("stage roster: already staged")
	}
	cur, err := s.current(ctx)
	if err != nil {
		return err
	}
	v, err := s.rdb.Incr(ctx, s.k.rosterSeq()).Result()
	if err != nil {
		return fmt.Errorf("stage roster: %w", err)
	}
	// The journal names the version before any record carries it, so that
	// a kill at any later point can be rolled back.
	if err := s.rdb.HSet(ctx, s.k.journal(), "v", v, "base", cur, "state", stateStaging).Err(); err != nil {
		return fmt.Errorf("stage roster: %w", err)
	}
	imp.version, imp.base = v, cur
	if err := imp.stageCadres(ctx, r.Cadres); err != nil {
		return fmt.Errorf("stage cadres: %w", err)
	}
	if err := imp.stageHouseholds(ctx, r.Households); err != nil {
		return fmt.Errorf("stage households: %w", err)
	}
	return nil
}

// stageCadres writes the cadres and the leaders' sets.
func (imp *rosterImport) stageCadres(ctx context.Context, cs []flows.Cadre) error {
	s, v := imp.s, imp.version
	ids, vals := make([]string, len(cs)), make([][]string, len(cs))
	units := map[string]bool{}
	for i, c := range cs {
		ids[i], vals[i] = c.ID, []string{c.Name, c.Unit, string(c.Role), c.Phone}
		if c.Role == flows.RoleLeader {
			units[c.Unit] = true
		}
	}
	if err := imp.stage(ctx, "cadres", "prev:cadre", ids, vals, cadreFields, s.k.cadre); err != nil {
		return err
	}
	for u := range units {
		imp.units = append(imp.units, u)
	}
	return s.chunks(ctx, len(cs), func(p redis.Pipeliner, from, to int) {
		for _, c := range cs[from:to] {
			if c.Role == flows.RoleLeader { // the units set first: a rollback finds the leaders' sets by it
				p.SAdd(ctx, s.k.staged(v, "units"), c.Unit)
				p.SAdd(ctx, s.k.staged(v, "leaders:"+c.Unit), c.ID)
			}
		}
	})
}

// stageHouseholds writes the households.
func (imp *rosterImport) stageHouseholds(ctx context.Context, hs []flows.Household) error {
	s := imp.s
	ids, vals := make([]string, len(hs)), make([][]string, len(hs))
	for i, h := range hs {
		ids[i], vals[i] = h.ID, []string{h.Name, h.Village, h.CadreID, h.Phone, h.Address}
	}
	return imp.stage(ctx, "hhs", "prev:hh", ids, vals, householdFields, s.k.household)
}

// stage writes records with stageScript, stageChunk records a script and
// two scripts a pipeline.
func (imp *rosterImport) stage(ctx context.Context, set, prev string, ids []string, vals [][]string, fields []string, key func(string) string) error {
	s := imp.s
	head := []any{imp.version, imp.base, len(fields)}
	for _, f := range fields {
		head = append(head, f)
	}
	per := stageChunk
	return s.chunksOf(ctx, (len(ids)+per-1)/per, 2, func(p redis.Pipeliner, from, to int) {
		for c := from; c < to; c++ {
			lo, hi := c*per, min((c+1)*per, len(ids))
			keys, args := []string{s.k.staged(imp.version, set), s.k.staged(imp.version, prev)}, append([]any{}, head...)
			for i := lo; i < hi; i++ {
				keys = append(keys, key(ids[i]))
				args = append(args, ids[i])
				for _, v := range vals[i] {
					args = append(args, v)
				}
			}
			stageScript.Eval(ctx, p, keys, args...) // EVAL: a pipeline cannot retry a missing script
		}
	})
}

// Switch implements flows.RosterImport.
func (imp *rosterImport) Switch(ctx context.Context, moved, ended []string) (flows.ImportJournal, error) {
	s, v := imp.s, imp.version
	j := flows.ImportJournal{Version: v}
	if v == 0 {
		return j, errors.New("switch roster: nothing staged")
	}
	for name, ids := range map[string][]string{"moved": moved, "ended": ended} {
		err := s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
			p.SAdd(ctx, s.k.staged(v, name), toAny(ids[from:to])...)
		})
		if err != nil {
			return j, fmt.Errorf("switch roster: journal %s: %w", name, err)
		}
	}
	old, err := s.rdb.SMembers(ctx, s.k.units()).Result()
	if err != nil {
		return j, fmt.Errorf("switch roster: %w", err)
	}
	keys := []string{s.k.importLock(), s.k.rosterVersion(), s.k.journal()}
	for _, set := range []string{"cadres", "hhs", "units"} {
		live := map[string]string{"cadres": s.k.cadres(), "hhs": s.k.households(), "units": s.k.units()}[set]
		keys = append(keys, live, s.k.staged(v, set))
	}
	seen := map[string]bool{}
	for _, u := range append(append([]string{""}, old...), imp.units...) {
		if !seen[u] {
			seen[u] = true
			keys = append(keys, s.k.leaders(u), s.k.staged(v, "leaders:"+u))
		}
	}
	res, err := switchScript.Run(ctx, s.rdb, keys, imp.lock.token, imp.base, v).Text()
	if err != nil {
		return j, fmt.Errorf("switch roster: %w", err)
	}
	if res != "ok" {
		return j, flows.Errorf(flows.ECONFLICT, "switch roster: %s changed meanwhile (another import?)", res)
	}
	imp.done = true
	return j, nil
}

func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// FollowUps implements flows.RosterImport.
func (imp *rosterImport) FollowUps(ctx context.Context, j flows.ImportJournal, kind flows.FollowUpKind, n int) ([]string, error) {
	ids, err := imp.s.rdb.SRandMemberN(ctx, imp.s.k.staged(j.Version, string(kind)), int64(n)).Result()
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return sorted(ids), nil
}

// Follow implements flows.RosterImport: one script each, in pipelines.
func (imp *rosterImport) Follow(ctx context.Context, fs []flows.Followed) error {
	s := imp.s
	calls := make([]unbindCall, len(fs))
	for i, f := range fs {
		c, err := s.unbindArgs(f.Unbind, s.k.staged(f.Version, string(f.Kind)), f.ID, f.Notices)
		if err != nil {
			return err
		}
		calls[i] = c
	}
	err := s.chunksOf(ctx, len(calls), 200, func(p redis.Pipeliner, from, to int) {
		for _, c := range calls[from:to] {
			unbindScript.Eval(ctx, p, c.keys, c.args...) // EVAL: a pipeline cannot retry a missing script
		}
	})
	if err != nil {
		return fmt.Errorf("follow-ups: %w", err)
	}
	return nil
}

// Finish implements flows.RosterImport: the replaced data (p: fields) of the
// records the import kept it in goes, then the journal.
func (imp *rosterImport) Finish(ctx context.Context, j flows.ImportJournal) error {
	s := imp.s
	for _, set := range []struct {
		name   string
		fields []string
		rec    func(string) string
	}{{"prev:cadre", cadreFields, s.k.cadre}, {"prev:hh", householdFields, s.k.household}} {
		del := []string{"pv"}
		for _, f := range set.fields {
			del = append(del, prevPrefix+f)
		}
		err := s.scanSet(ctx, s.k.staged(j.Version, set.name), func(ids []string) error {
			return s.chunks(ctx, len(ids), func(p redis.Pipeliner, from, to int) {
				for _, id := range ids[from:to] {
					p.HDel(ctx, set.rec(id), del...)
				}
			})
		})
		if err != nil {
			return fmt.Errorf("finish import: %w", err)
		}
	}
	if err := s.dropStaged(ctx, j.Version); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, s.k.journal()).Err(); err != nil {
		return fmt.Errorf("finish import: %w", err)
	}
	imp.pending = nil
	return nil
}
