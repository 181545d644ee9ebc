import CRMModel
import Foundation

/// The demo shop's catalog as the simulation sees it: items with categories, prices, Zipf
/// popularity and complementary items. Built deterministically from the config's seed.
struct DemoCatalog: Sendable {
    struct Item: Sendable {
        let id: String
        let category: Int
        let price: Double
        let brand: String
        let available: Bool
        /// Zipf weight, 1 / rank^s (rank 1 is the most popular item).
        let weight: Double
        let rank: Int
        /// Indices of complementary items, in the paired category.
        var complements: [Int]
    }

    private struct CategorySpec {
        let name: String
        let minPrice: Double
        let maxPrice: Double
        let brands: [String]
    }

    private static let specs: [CategorySpec] = [
        CategorySpec(name: "shoes", minPrice: 30, maxPrice: 160, brands: ["acme", "stride", "nordwalk"]),
        CategorySpec(name: "sports", minPrice: 10, maxPrice: 250, brands: ["acme", "peak", "velo"]),
        CategorySpec(name: "books", minPrice: 6, maxPrice: 40, brands: ["paperlane", "inkwell"]),
        CategorySpec(name: "stationery", minPrice: 2, maxPrice: 30, brands: ["inkwell", "notara"]),
        CategorySpec(name: "kitchen", minPrice: 8, maxPrice: 180, brands: ["cucina", "hearth"]),
        CategorySpec(name: "home", minPrice: 10, maxPrice: 300, brands: ["hearth", "casa"]),
        CategorySpec(name: "electronics", minPrice: 20, maxPrice: 900, brands: ["voltix", "lumen"]),
        CategorySpec(name: "gaming", minPrice: 15, maxPrice: 500, brands: ["pixelforge", "voltix"]),
        CategorySpec(name: "beauty", minPrice: 5, maxPrice: 80, brands: ["lumiere", "verde"]),
        CategorySpec(name: "fashion", minPrice: 12, maxPrice: 200, brands: ["atelier", "stride"]),
        CategorySpec(name: "garden", minPrice: 5, maxPrice: 250, brands: ["verde", "greenhand"]),
        CategorySpec(name: "pets", minPrice: 4, maxPrice: 90, brands: ["pawsome", "greenhand"]),
        CategorySpec(name: "toys", minPrice: 5, maxPrice: 80, brands: ["playwise", "pawsome"]),
        CategorySpec(name: "music", minPrice: 8, maxPrice: 60, brands: ["vinylhaus", "lumen"]),
        CategorySpec(name: "baby", minPrice: 5, maxPrice: 150, brands: ["playwise", "casa"]),
        CategorySpec(name: "outdoor", minPrice: 15, maxPrice: 400, brands: ["peak", "greenhand"]),
    ]

    let categoryNames: [String]
    let items: [Item]
    /// Item indices per category, and the running sums of their weights for sampling.
    let itemsByCategory: [[Int]]
    let cumulativeByCategory: [[Double]]
    /// Running sums of total item weight per category (a category's overall popularity).
    let categoryCumulative: [Double]

    init(config: ShopTrafficConfig) {
        var rng = DemoRandom.derive(seed: config.seed, stream: 0xCA7A_1060)
        let categoryCount = max(1, config.categoryCount)
        let itemCount = max(categoryCount, config.itemCount)
        let names = (0..<categoryCount).map { $0 < Self.specs.count ? Self.specs[$0].name : "category-\($0 + 1)" }
        let ranks = rng.shuffled(Array(1...itemCount))
        var items: [Item] = []
        var byCategory = Array(repeating: [Int](), count: categoryCount)
        for index in 0..<itemCount {
            let category = index < categoryCount ? index : rng.int(below: categoryCount)
            let spec = category < Self.specs.count ? Self.specs[category]
                : CategorySpec(name: names[category], minPrice: 5, maxPrice: 100, brands: ["generic"])
            let raw = exp(rng.uniform(log(spec.minPrice), log(spec.maxPrice)))
            let price = (max(0, raw.rounded(.down) - 1) * 100 + 99) / 100
            let rank = ranks[index]
            items.append(Item(id: "i\(index + 1)", category: category, price: price,
                              brand: spec.brands[rng.int(below: spec.brands.count)], available: !rng.chance(0.03),
                              weight: 1 / pow(Double(rank), config.zipfExponent), rank: rank, complements: []))
            byCategory[category].append(index)
        }
        var cumulative: [[Double]] = []
        var categoryTotals: [Double] = []
        for list in byCategory {
            var sum = 0.0
            cumulative.append(list.map { sum += items[$0].weight; return sum })
            categoryTotals.append(sum)
        }
        for index in items.indices {
            let related = Self.relatedCategory(of: items[index].category, count: categoryCount)
            let pool = byCategory[related]
            var chosen: [Int] = []
            var attempts = 0
            while chosen.count < config.complementsPerItem, attempts < 20 * max(1, config.complementsPerItem) {
                attempts += 1
                let candidate = pool[rng.index(cumulative: cumulative[related])]
                if candidate != index, !chosen.contains(candidate) { chosen.append(candidate) }
            }
            items[index].complements = chosen
        }
        var running = 0.0
        categoryNames = names
        self.items = items
        itemsByCategory = byCategory
        cumulativeByCategory = cumulative
        categoryCumulative = categoryTotals.map { running += $0; return running }
    }

    /// The paired category (0↔1, 2↔3, …; an unpaired last category pairs with its predecessor).
    static func relatedCategory(of category: Int, count: Int) -> Int {
        let partner = category ^ 1
        if partner < count { return partner }
        return count > 1 ? category - 1 : category
    }

    /// An item of `category`, drawn by popularity.
    func popularItem(in category: Int, using rng: inout DemoRandom) -> Int {
        itemsByCategory[category][rng.index(cumulative: cumulativeByCategory[category])]
    }

    /// The catalog records to publish (in item id order). Items of the top 5 % by popularity
    /// are tagged "bestseller".
    func records() -> [CatalogItem] {
        let bestsellerRanks = max(1, items.count / 20)
        return items.map { item in
            var tags = [categoryNames[item.category]]
            if item.rank <= bestsellerRanks { tags.append("bestseller") }
            return CatalogItem(itemID: item.id, category: categoryNames[item.category], brand: item.brand,
                               price: item.price, available: item.available, tags: tags)
        }
    }
}
