// The TypeScript versions a consumer may compile against the packages' declarations. The package
// check (scripts/check-package.sh) type-checks a fresh app with the lowest and the newest, so the
// range is tested at both ends. No upper bound: npm refuses a compiler outside an optional peer's
// range outright (ERESOLVE), which would stop every consumer the day a new TypeScript ships.
"use strict";

const SUPPORTED_TYPESCRIPT = { lowest: "5.0.4", newest: "7.0.2", range: ">=5.0.4" };

module.exports = { SUPPORTED_TYPESCRIPT };
