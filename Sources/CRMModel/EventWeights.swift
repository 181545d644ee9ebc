/// How much affinity each kind of event adds to a customer's item and category vectors
/// (DESIGN.md §4 "User vectors"). All weights are configurable; defaults follow the design.
///
/// `removeFromCart` defaults to −1: taking an item out of the cart is a weak negative signal, so an
/// add (+3) followed by a remove nets +2 (the customer still looked at it closely). Affinities are
/// floored at zero by ``UserProfile``, so a negative weight never creates a negative affinity.
public struct EventWeights: Sendable, Equatable, Codable {
    /// Weight of a `view`. Default 1.
    public var view: Double
    /// Weight of a `click`. Default 1.
    public var click: Double
    /// Weight of a `wishlist`. Default 2.
    public var wishlist: Double
    /// Weight of an `add_to_cart`. Default 3.
    public var addToCart: Double
    /// Weight of a `remove_from_cart`. Default −1 (see the type's documentation).
    public var removeFromCart: Double
    /// Weight of a `search` (which names no item). Default 0.
    public var search: Double
    /// Weight of each item line of an `order`. Default 5.
    public var order: Double

    public init(view: Double = 1, click: Double = 1, wishlist: Double = 2, addToCart: Double = 3,
                removeFromCart: Double = -1, search: Double = 0, order: Double = 5) {
        self.view = view; self.click = click; self.wishlist = wishlist; self.addToCart = addToCart
        self.removeFromCart = removeFromCart; self.search = search; self.order = order
    }

    /// The defaults of the design: view 1, click 1, wishlist 2, add_to_cart 3, remove_from_cart −1,
    /// search 0, order 5.
    public static let `default` = EventWeights()

    /// The weight of one clickstream event of the given type.
    public func weight(for type: ClickType) -> Double {
        switch type {
        case .view: return view
        case .click: return click
        case .wishlist: return wishlist
        case .addToCart: return addToCart
        case .removeFromCart: return removeFromCart
        case .search: return search
        }
    }
}
