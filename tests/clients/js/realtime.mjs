// supabase-js, unchanged, against Objectry's /realtime/v1 (run by tests/system/test_supabase_js.py):
// subscribe to INSERTs on `deals`, insert one through .from('deals'), print what the callback got.
// Usage: OBJECTRY_URL=http://127.0.0.1:8000 OBJECTRY_KEY=<API token> node realtime.mjs [vsn]
import { createClient } from '@supabase/supabase-js'
import WebSocket from 'ws'

const vsn = process.argv[2] || '2.0.0'
const supabase = createClient(process.env.OBJECTRY_URL, process.env.OBJECTRY_KEY, {
  realtime: { transport: WebSocket, vsn },
})
const fail = (why) => { console.error(why); process.exit(1) }
setTimeout(() => fail('timed out'), 20000)

const received = new Promise((resolve) => {
  supabase
    .channel('deals-feed')
    .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'deals' }, resolve)
    .subscribe(async (status, err) => {
      if (status !== 'SUBSCRIBED') return status === 'CLOSED' || fail(`${status} ${err}`)
      const { data, error } = await supabase.from('deals').insert({ title: 'from js' }).select()
      if (error) fail(JSON.stringify(error))
      console.log(JSON.stringify({ inserted: data[0] }))
    })
})
const payload = await received
console.log(JSON.stringify({ eventType: payload.eventType, table: payload.table,
  schema: payload.schema, new: payload.new, old: payload.old }))
await supabase.removeAllChannels()
process.exit(0)
