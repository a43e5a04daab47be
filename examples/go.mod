module github.com/crmkit/crm/examples

go 1.25.0

require (
	github.com/crmkit/crm v0.0.0
	github.com/crmkit/crm/storage/postgres v0.0.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/shopspring/decimal v1.6.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/pgx-shopspring-decimal v0.0.0-20220624020537-1d36b5a1853e // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

// The examples are not released: they always build against the
// repository's own modules.
replace (
	github.com/crmkit/crm => ../
	github.com/crmkit/crm/storage/postgres => ../storage/postgres
)
