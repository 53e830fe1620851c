// Uses the types `objectry gen types --lang typescript` writes for the crm template
// (generated.ts, written by tests/api/test_gen_types.py) with supabase-js, under tsc --strict.
import { createClient } from "@supabase/supabase-js"
import type { Database, Tables, TablesInsert, TablesUpdate } from "./generated"

const client = createClient<Database>("http://localhost:8000", "objectry-token")

export async function usage(): Promise<number> {
  const { data, error } = await client.from("deals").select("*").eq("status", "open")
  if (error) throw error
  const rows: Tables<"deal">[] = data
  const title: string | null = rows[0].title
  const weighted: number | null = rows[0].weighted_value
  const number: string | null = rows[0].deal_number
  const picked = await client.from("contacts").select("name, email, company_name")
  const companies: string[] | null | undefined = picked.data?.[0].company_name
  const insert: TablesInsert<"deal"> = { title: "Anvils", status: "open", amount: 100 }
  await client.from("deals").insert(insert)
  const update: TablesUpdate<"deals"> = { probability: 50 }
  await client.from("deals").update(update).eq("id", rows[0].id)
  // @ts-expect-error a value that is not among the select's options
  const badStatus: TablesInsert<"deal"> = { title: "x", status: "maybe" }
  // @ts-expect-error a computed field is never written
  const computed: TablesInsert<"deal"> = { title: "x", status: "open", weighted_value: 1 }
  // @ts-expect-error a required field is missing
  const missing: TablesInsert<"deal"> = { status: "open" }
  console.log(title, number, companies, badStatus, computed, missing)
  return weighted ?? 0
}
