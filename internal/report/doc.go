// Package report renders a leader's weekly digest (flows.Digest) as files a
// phone or an office can open: a PNG bar chart (Chart), made with
// gonum.org/v1/plot and a CJK font so that Chinese names render, and an
// .xlsx workbook (Spreadsheet) with one row per request and a summary sheet.
//
// Rates are shown as flows.Rate's Format and Trend show them, the same way
// in the chart, the workbook and the text digest: a rate with an empty
// denominator is "—", never 0% or 100%.
//
// The words the files use, in Chinese and English, are kept together in
// labels.go. Nothing here logs or keeps personal data: the digest goes in,
// bytes come out.
package report
