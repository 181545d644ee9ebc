/// The public e-commerce data sets that `DatasetConverter` turns into `ShopEvent`s
/// (see `shared/data/README.md` for their provenance and exact formats).
///
/// Identifier mapping (every id carries a data-set prefix so that several data sets can be
/// replayed into one state without collisions; line numbers are 1-based physical line numbers
/// of the file, header included, so `sed -n <n>p` shows the source of any event):
///
/// | format | event id | user id | item id | session id |
/// |---|---|---|---|---|
/// | `taobao` | `tb-<line>` | `tb-<user_id>` | `tb-<item_id>` | none |
/// | `otto` | `otto-<session>-<index>` (index 0-based in the session) | `otto-<session>` | `otto-<aid>` | `otto-<session>` |
/// | `cdnow` | `cdnow-<line>` | `cdnow-<customer_id>` (zero padding kept) | `cd` | none |
/// | `diginetica` | `dg-<line>` | `dg-u<user_id>`, or `dg-s<session_id>` when the user is `NA` | `dg-<item_id>` | `dg-s<session_id>` |
///
/// Orders use their event id as order id. Prices the source does not know are 0 (Taobao and
/// OTTO orders carry one line of quantity 1, price 0 and total 0, and no currency).
public enum DatasetFormat: String, Sendable, CaseIterable {
    /// Alibaba/Taobao UserBehavior CSV: `user_id,item_id,category_id,behavior_type,timestamp(s)`, no header.
    case taobao
    /// OTTO session JSON Lines: `{"session":n,"events":[{"aid":n,"ts":ms,"type":"clicks"|"carts"|"orders"}]}`.
    case otto
    /// CDNOW master transactions: whitespace-separated `customer_id date number_of_cds dollar_value`, header, CRLF.
    case cdnow
    /// DIGINETICA item views: `session_id;user_id;item_id;timeframe;eventdate` with header, `;`-separated.
    case diginetica

    /// The prefix of every id this format produces.
    public var idPrefix: String {
        switch self {
        case .taobao: return "tb"
        case .otto: return "otto"
        case .cdnow: return "cdnow"
        case .diginetica: return "dg"
        }
    }

    /// The file name of this data set's sample in `shared/data`.
    public var sampleFileName: String {
        switch self {
        case .taobao: return "taobao_userbehavior_sample_96k.csv"
        case .otto: return "otto_sessions_sample_20.jsonl"
        case .cdnow: return "cdnow_master_transactions.txt"
        case .diginetica: return "diginetica_sample_train_item_views.csv"
        }
    }

    /// Guesses the format from a file name (case-insensitive substring match), or nil.
    public static func guess(fileName: String) -> DatasetFormat? {
        let lower = fileName.lowercased()
        for format in allCases where lower.contains(format.rawValue) { return format }
        return nil
    }

    /// Whether the source is already in time order, so events can be streamed to the sink as
    /// they are read (late lines are rejected) instead of being collected and sorted.
    var isSourceTimeOrdered: Bool { self == .taobao }
}
