// Drives @supabase/supabase-js (auth + tables) against a live Objectry; run by
// tests/system/test_supabase_js.py. Usage: node check.mjs URL ANON_A ANON_B EMAIL INVITATION
// Prints one JSON line of what it saw; exits 1 on the first surprise.
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws' // Node 20 has no global WebSocket: supabase-js's realtime needs one

const [url, anonA, anonB, email, invitation] = process.argv.slice(2)
const options = { realtime: { transport: WebSocket }, auth: { persistSession: false } }
const a = createClient(url, anonA, options)
const b = createClient(url, anonB, options)
const password = 'correct horse battery staple'

function must ({ data, error }) {
  if (error) throw new Error(`${error.status} ${error.code}: ${error.message}`)
  return data
}

const seen = {}
const signedUp = must(await a.auth.signUp({
  email, password, options: { data: { full_name: 'Jo Script', invitation_token: invitation } }
}))
seen.signUpRole = signedUp.user.app_metadata.role
seen.signUpSession = signedUp.session !== null
must(await a.auth.signOut())
const wrong = await a.auth.signInWithPassword({ email, password: 'not the password' })
seen.wrong = [wrong.error.status, wrong.error.code]
const signedIn = must(await a.auth.signInWithPassword({ email, password }))
seen.aud = signedIn.user.aud
seen.getUser = must(await a.auth.getUser()).user.email === email
seen.updated = must(await a.auth.updateUser({ data: { full_name: 'Jo Renamed' } }))
  .user.user_metadata.full_name
const refreshed = must(await a.auth.refreshSession())
seen.rotated = refreshed.session.refresh_token !== signedIn.session.refresh_token

const row = must(await a.from('notes').insert({ title: 'from js' }).select('id, title'))[0]
must(await a.from('notes').update({ title: 'js edited' }).eq('id', row.id))
seen.mine = must(await a.from('notes').select('title'))
must(await b.from('notes').insert({ title: "b's js" }))
seen.theirs = must(await b.from('notes').select('title'))
must(await a.from('notes').delete().eq('id', row.id))
seen.afterDelete = must(await a.from('notes').select('id'))
must(await a.auth.signOut())
seen.signedOut = must(await a.auth.getSession()).session === null
console.log(JSON.stringify(seen))
