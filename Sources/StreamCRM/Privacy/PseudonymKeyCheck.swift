/// Keeps a state directory to the pseudonymisation it was built with. Its customers are stored
/// under their ids as the daemon saw them — pseudonyms of one key, or raw ids — so turning
/// `privacy.pseudonymise.key` on, off or to another key over an existing directory would leave the
/// old customers unreachable (a `forget_user` would miss them: raw ids kept against the operator's
/// intent). The store's meta table keeps a fingerprint of the key (a pseudonym of a fixed text,
/// which says nothing of the key itself), and a start with another one is refused.
enum PseudonymKeyCheck {
    static let metaKey = "pseudonymisation"

    /// "off", or the fingerprint of the key.
    static func fingerprint(_ pseudonymiser: Pseudonymiser?) -> String {
        pseudonymiser?.pseudonym("streamcrm pseudonymisation key check") ?? "off"
    }

    /// Records the fingerprint in a store that has none (a new one, or one from before this check),
    /// and refuses one recorded under another setting with a ``ConfigError`` (exit status 78).
    static func verify(store: StateStore, pseudonymiser: Pseudonymiser?, directory: String) throws {
        let current = fingerprint(pseudonymiser)
        guard let stored = try store.meta(metaKey) else {
            try store.setMeta(metaKey, current)
            return
        }
        guard stored != current else { return }
        let was = stored == "off" ? "without pseudonymisation" : "with another privacy.pseudonymise.key"
        let now = current == "off" ? "is now off" : "is now set to a different key"
        throw ConfigError(key: "privacy.pseudonymise.key", value: nil,
                          problem: "the state directory \(directory) was built \(was), and pseudonymisation \(now): "
                              + "its customers would be unreachable under the new ids (forget_user would miss them). "
                              + "Restore the previous setting, or start from a fresh state.dir")
    }
}
