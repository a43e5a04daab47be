// Package leadcsv reads leads from CSV files and writes them back: a
// column mapping as data ([Mapping]), contact points parsed by the
// customer parsers (one that does not parse is kept raw and flagged on the
// lead, never lost), a report of rejected rows with their line numbers and
// reasons, all or nothing or skip-invalid, and export of a filtered list.
// It streams both ways: a row is read, checked and batched at a time, and
// export fetches a page at a time, so a file of a million rows never sits
// in memory. It works with any lead.Store; a store with the lead.Importer
// capability (every guarded store; storage/postgres with COPY) stores each
// batch at once.
//
// It follows the shapes of customer/customercsv (Column, Mapping, Policy,
// ImportOptions, Report, RowError, Reader, Import, Export), for leads.
//
// # Fields
//
// A Column's Field is one of:
//
//	id               the lead's ID (UUID); a new one when absent
//	name, title, company, industry
//	kind             person or organization
//	company_size     employees, a whole number
//	language         a language tag such as "zh-CN"
//	topics           topics, separated by Mapping.ListSep
//	email, phone     contact points, separated by Mapping.ListSep; several
//	                 columns add up. A value that does not parse is kept raw
//	                 and flagged (lead.ContactPoint.Problem).
//	team             the team whose process the lead follows
//	channel          how the lead came in (customer.Channel names)
//	source           the source kind (lead.SourceKind names)
//	source.detail, source.campaign, source.referrer
//	key_prospect     true or false
//	address, address.locality, address.postal_code, address.area,
//	address.country  the postal address (address may repeat: one line each)
//	attr.KEY         a free attribute
//
// Export writes every contact point of a kind in its column, parsed ones
// in their normal form and flagged ones as captured, so that export →
// import → export gives the same file (a raw contact point holding the
// list separator is the one exception: import splits it).
package leadcsv
