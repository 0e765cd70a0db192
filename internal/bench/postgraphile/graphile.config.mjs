// PostGraphile v5 configuration for the benchmark comparison of issue 9.
//
// The stock Amber preset (PostGraphile's recommended defaults: Relay-style
// connections, global ids as `id`, primary key columns as `rowId`), nothing
// tuned, over the one schema a benchmark run loads. The harness
// (internal/bench/postgraphile.go) sets the environment:
//
//   DATABASE_URL     PostgreSQL URL (without search_path; the schema is named below)
//   DATABASE_SCHEMA  the schema holding the data set
//   POOL_SIZE        connections in the pool (the harness gives our server's, 20)
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const schema = process.env.DATABASE_SCHEMA;
if (!process.env.DATABASE_URL || !schema) {
  throw new Error("DATABASE_URL and DATABASE_SCHEMA must be set");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: [schema],
      poolConfig: { max: Number(process.env.POOL_SIZE || 20) },
    }),
  ],
  grafserv: {
    graphqlPath: "/graphql",
    graphiql: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
