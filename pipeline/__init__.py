"""Pipeline: channel specs, plans, ops, engines, audit, jobs. Pure pixel work lives in engines/."""
