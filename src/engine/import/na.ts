/**
 * The strings pandas 1.5 reads as missing by default (`pandas._libs.parsers.STR_NA_VALUES`),
 * the empty field included. A field is missing only when it is one of them exactly: the
 * match is on the whole field and case-sensitive (`None`, `NAN`, ` NA` stay text).
 * read_csv and read_excel apply them (read_excel to string cells); read_json does not.
 */
export const PANDAS_NA = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'n/a', 'nan', 'null'];
