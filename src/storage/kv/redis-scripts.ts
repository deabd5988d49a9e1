// The Lua scripts the Redis store runs: each one command, so Redis applies it atomically
// (per-patient order, rate-limit windows and mailbox claims depend on that).
import type { Redis } from 'ioredis';

// Both scripts must be atomic: a lock released by a late holder, or a counter created
// without its window, would break per-patient ordering and rate limits.
const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const INCREMENT_WITH_WINDOW = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value`;

// KEYS: counters. ARGV: max and ttl of each, in turn. Counting first and taking the counts back
// when one is over its max costs two calls per counter on the usual path instead of three.
const TAKE_SLOTS = `
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  if count > tonumber(ARGV[2 * i - 1]) then
    for j = 1, i do redis.call('DECR', KEYS[j]) end
    return i
  end
end
return 0`;

// The mailbox scripts make dedupe-append-claim, claim-and-read and commit-remove-forward single
// atomic steps: a conversation step costs three round trips in all, and no item waits unseen.
// Absent optional keys are passed as the list key (same hash slot) with their flag unset.
// An item that was pushed to an empty list is the caller's own: its head is answered 'own'
// instead of being read and sent back (the caller has it).
// KEYS[1] lock, KEYS[2] list, KEYS[3] read. `length` is the list's length after the caller's
// push (0 when it pushed nothing), ARGV[3] whether to read KEYS[3].
const CLAIMED_HEAD = `
local head = false
if length ~= 1 then
  head = redis.call('LINDEX', KEYS[2], 0)
  if not head then redis.call('DEL', KEYS[1]) return {'empty'} end
end
local value = false
if ARGV[3] == '1' then value = redis.call('GET', KEYS[3]) end
return {head and 'item' or 'own', head, value}`;
// KEYS: lock, list, read, once.
// ARGV: token ('' = no claim), lockTtl, read?, item, listTtl, onceTtl ('' = no once).
const MAILBOX_PUSH = `
if ARGV[6] ~= '' and not redis.call('SET', KEYS[4], '1', 'PX', ARGV[6], 'NX') then return {'duplicate'} end
local length = redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if ARGV[1] == '' then return {'queued'} end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'busy'} end
${CLAIMED_HEAD}`;
// KEYS: lock, list, read. ARGV: token, lockTtl, read?.
const MAILBOX_CLAIM = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'busy'} end
local length = 0
${CLAIMED_HEAD}`;
// Removes ARGV[3] if it is still first and answers the next head; one LRANGE reads both.
// KEYS[1] lock, KEYS[2] list; ARGV[1] token, ARGV[2] lockTtl, ARGV[3] done.
const REMOVE_DONE = `
local first = redis.call('LRANGE', KEYS[2], 0, 1)
local head = first[1]
if head == ARGV[3] then
  redis.call('LPOP', KEYS[2])
  head = first[2]
end
if not head then redis.call('DEL', KEYS[1]) return {'empty'} end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {'item', head}`;
// KEYS: lock, list. ARGV: token, lockTtl, done.
const MAILBOX_NEXT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'lost'} end
${REMOVE_DONE}`;
// KEYS: lock, list, set, forward lock, forward list, forward read.
// ARGV: token, lockTtl, done, set?, value, valueTtl, forward?, item, itemTtl, forward token, forward lockTtl, forward read?.
const MAILBOX_COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {{'lost'}, {}} end
if ARGV[4] == '1' then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6]) end
local forwarded = {}
if ARGV[7] == '1' then
  local length = redis.call('RPUSH', KEYS[5], ARGV[8])
  redis.call('PEXPIRE', KEYS[5], ARGV[9])
  if redis.call('SET', KEYS[4], ARGV[10], 'PX', ARGV[11], 'NX') then
    local head = false
    if length ~= 1 then head = redis.call('LINDEX', KEYS[5], 0) end
    local value = false
    if ARGV[12] == '1' then value = redis.call('GET', KEYS[6]) end
    forwarded = {head and 'item' or 'own', head, value}
  else
    forwarded = {'busy'}
  end
end
local function next()
${REMOVE_DONE}
end
return {next(), forwarded}`;

// KEYS: lock, mark. ARGV: token, lockTtl, value, valueTtl.
const MAILBOX_MARK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export const SCRIPTS = {
  // Without numberOfKeys: the key count is the first argument.
  takeSlots: { lua: TAKE_SLOTS },
  compareAndDelete: { numberOfKeys: 1, lua: COMPARE_AND_DELETE },
  incrementWithWindow: { numberOfKeys: 1, lua: INCREMENT_WITH_WINDOW },
  mailboxPush: { numberOfKeys: 4, lua: MAILBOX_PUSH },
  mailboxClaim: { numberOfKeys: 3, lua: MAILBOX_CLAIM },
  mailboxNext: { numberOfKeys: 2, lua: MAILBOX_NEXT },
  mailboxCommit: { numberOfKeys: 6, lua: MAILBOX_COMMIT },
  mailboxMark: { numberOfKeys: 2, lua: MAILBOX_MARK },
};

export type Reply = (string | number | null)[];

/** The connection with our scripts registered (sent once, then called by SHA). */
export type ScriptedRedis = Redis & {
  compareAndDelete(key: string, expected: string): Promise<number>;
  incrementWithWindow(key: string, by: number, ttlMs: number): Promise<number>;
  takeSlots(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  mailboxPush(...keysAndArgs: string[]): Promise<Reply>;
  mailboxClaim(...keysAndArgs: string[]): Promise<Reply>;
  mailboxNext(...keysAndArgs: string[]): Promise<Reply>;
  mailboxCommit(...keysAndArgs: string[]): Promise<[Reply, Reply]>;
  mailboxMark(...keysAndArgs: string[]): Promise<number>;
};
