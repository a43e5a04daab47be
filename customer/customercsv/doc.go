// Package customercsv reads customers from CSV files and writes customer
// lists to CSV, streaming, with any store.
//
// # Mapping columns
//
// A [Mapping] says which column holds which customer field. It is data (it
// has JSON tags), so a host can let its users map the columns of a file
// they already have:
//
//	m := customercsv.Mapping{
//		Header:        true, // columns are matched by their header
//		DefaultRegion: "CN", // for phone numbers written without +86
//		Defaults:      customercsv.Defaults{Kind: customer.Person, Roles: []customer.Role{customer.EndCustomer}, Owner: "chen.lei"},
//		Columns: []customercsv.Column{
//			{Header: "姓名", Field: "name"},
//			{Header: "手机", Field: "phone"},
//			{Header: "邮箱", Field: "email"},
//			{Header: "生日", Field: "date.birthday"},
//			{Header: "标签", Field: "tags"},
//		},
//	}
//
// Fields: id, name, kind, roles, owner, email, phone, time_zone, stage,
// loyalty, lifecycle, tags, notes, address (one line; address.locality,
// address.postal_code and address.area add to it), attr.KEY, pref.KEY and
// date.KEY. Cells of roles, tags, email and phone may hold several values
// separated by Mapping.ListSep (";" by default). Contact points are parsed
// by customer.ParseEmail and customer.ParsePhone, dates by
// customer.ParseDate, enumerations by their stored names.
//
// # Reading and importing
//
// [Reader] turns rows into new customers one at a time, never holding the
// file in memory; a row that cannot become a customer yields a
// [*RowError] with its line number and every problem, and reading goes on.
// A row longer than 16 MiB (most often a quote left open) ends the read
// with an error wrapping crm.ErrInvalid.
// [Import] stores what a Reader reads through a customer.Backend in
// batches, in one transaction: with [AllOrNothing] a single bad row stores
// nothing; with [SkipInvalid] the good rows are stored and the bad ones
// reported. Customers are stored through the backend's customer store (its
// customer.Importer, which storage/postgres backs with COPY), so no domain
// events are published for them.
//
// # Exporting
//
// [Export] writes the customers a customer.Query matches, page by page, in
// the columns the caller names, so a million-row list never sits in memory.
package customercsv
