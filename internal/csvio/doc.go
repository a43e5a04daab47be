// Package csvio is what customer/customercsv and lead/leadcsv share: the
// frame of a CSV format whose columns are mapped to the fields of an
// entity. A package brings its field set and how a row becomes its entity
// (or an entity a row); csvio brings the rest, once, for every format:
//
//   - the column mapping as data ([Column], [Layout]) and its check
//     against the format's field set ([Format.Check]), with field paths;
//   - the reader frame ([Reader]): the header row matched to the mapping,
//     line numbers (a row's first line, quoted line breaks counted),
//     parse errors and oversized rows and cells reported as the format's
//     RowError for that row, blank rows skipped;
//   - the import options ([Options], the packages' ImportOptions field for
//     field) checked and defaulted once ([CheckOptions]);
//   - the import loop ([Import]): batches written inside one transaction,
//     all or nothing or skip-invalid, the rejected rows with their lines,
//     progress, and a cancelled context stopping it at the next row;
//   - the export frame ([Export]): the header row, then a filtered list
//     paged through a store and written page by page.
//
// The public packages keep their own exported types and documentation:
// the frame makes their row errors (Format.RowError) and takes their
// import options by conversion ([Options]), so a reader of their docs never
// needs this package.
package csvio
