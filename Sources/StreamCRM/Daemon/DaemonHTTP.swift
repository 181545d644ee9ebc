import CRMModel

/// The daemon's HTTP endpoints, served by `HTTPServer` on libmicrohttpd's threads:
/// `/metrics` (Prometheus text), `/health` (the loop is alive), `/ready` (assigned, restored, lag
/// under `ready.max_lag`) and `GET /customers/{id}` (the interactive query, answered by the
/// processing loop through a `QueryChannel`). Everything it touches is `Sendable`.
enum DaemonHTTP {
    static let customersPrefix = "/customers/"

    /// The request handler (thread-safe).
    static func handler(status: DaemonStatus, metrics: DaemonMetrics, queries: QueryChannel) -> HTTPServer.Handler {
        { request in
            switch request.path {
            case "/metrics":
                return .ok(metrics.registry.render(), contentType: PrometheusText.contentType)
            case "/health":
                let (alive, detail) = status.health()
                return HTTPResponse(status: alive ? 200 : 503, body: detail + "\n")
            case "/ready":
                let (ready, detail) = status.readiness()
                return HTTPResponse(status: ready ? 200 : 503, body: detail + "\n")
            default:
                guard request.path.hasPrefix(customersPrefix) else { return nil }
                // libmicrohttpd has already percent-decoded the path ("a%20b" arrives as "a b").
                let id = String(request.path.dropFirst(customersPrefix.count))
                guard !id.isEmpty else { return json(400, error: "missing customer id") }
                switch queries.ask(id) {
                case .answered(let response):
                    metrics.queries.labels(response.status == 200 ? "found" : "not_found").increment()
                    return response
                case .timedOut:
                    metrics.queries.labels("timeout").increment()
                    return json(503, error: "the processing loop did not answer in time", retry: true)
                case .busy:
                    metrics.queries.labels("busy").increment()
                    return json(503, error: "too many queries waiting", retry: true)
                case .closed:
                    return json(503, error: "shutting down", retry: false)
                }
            }
        }
    }

    static func json(_ status: Int, error: String, retry: Bool = false) -> HTTPResponse {
        var out: [UInt8] = Array("{\"error\":".utf8)
        JSONWriter.appendString(error, to: &out)
        out.append(contentsOf: "}\n".utf8)
        return HTTPResponse(status: status, contentType: "application/json", body: out,
                            headers: retry ? [("Retry-After", "1")] : [])
    }
}

/// The JSON answer to `GET /customers/{id}`, built on the processing loop from the live engine.
enum CustomerView {
    /// Items and categories listed per customer.
    static let topAffinities = 10

    static func response(engine: CRMEngine, userID: String, ownedPartitions: Int) -> HTTPResponse {
        guard let customer = engine.customers[userID] else {
            return DaemonHTTP.json(404, error: "unknown customer on this instance (it owns \(ownedPartitions) input partitions; "
                                   + "a customer lives on the instance that owns their input partition)")
        }
        let p = customer.profile
        let now = engine.watermark.current ?? p.lastEventAt ?? 0
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        func key(_ k: StaticString) { JSONWriter.appendRaw(k, to: &out) }
        func time(_ t: EventTime?) {
            if let t { JSONWriter.appendString(ISO8601Timestamp.format(t), to: &out) } else { key("null") }
        }
        key("{\"user_id\":"); JSONWriter.appendString(userID, to: &out)
        key(",\"as_of\":"); time(now)
        key(",\"partition\":"); JSONWriter.appendInt(Int64(customer.partition), to: &out)
        key(",\"segment\":"); JSONWriter.appendString(engine.segmentName(of: customer), to: &out)
        key(",\"segment_id\":")
        if let s = customer.segment { JSONWriter.appendInt(Int64(s), to: &out) } else { key("null") }
        key(",\"orders\":"); JSONWriter.appendInt(Int64(p.orderCount), to: &out)
        key(",\"monetary\":"); JSONWriter.appendDouble(p.monetary, to: &out)
        key(",\"first_order_at\":"); time(p.firstOrderAt)
        key(",\"last_order_at\":"); time(p.lastOrderAt)
        key(",\"last_event_at\":"); time(p.lastEventAt)
        key(",\"churn\":")
        if let last = p.lastOrderAt, let score = engine.churnScore(for: userID, at: max(now, last)) {
            key("{\"p_alive\":"); JSONWriter.appendDouble(score.pAlive, to: &out)
            key(",\"risk\":"); JSONWriter.appendDouble(score.risk, to: &out)
            key(",\"horizon_days\":"); JSONWriter.appendDouble(engine.config.churnHorizonDays, to: &out)
            key(",\"alert_threshold\":"); JSONWriter.appendDouble(engine.config.churnThreshold, to: &out)
            key(",\"alerted\":"); key(customer.alertedEpisode == last ? "true}" : "false}")
        } else {
            key("null")
        }
        key(",\"top_items\":[")
        for (i, item) in p.topItems(limit: topAffinities, at: now).enumerated() {
            if i > 0 { key(",") }
            key("{\"item_id\":"); JSONWriter.appendString(item.itemID, to: &out)
            key(",\"affinity\":"); JSONWriter.appendDouble(item.affinity, to: &out); key("}")
        }
        key("],\"top_categories\":[")
        for (i, c) in p.topCategories(limit: topAffinities, at: now).enumerated() {
            if i > 0 { key(",") }
            key("{\"category\":"); JSONWriter.appendString(c.category, to: &out)
            key(",\"affinity\":"); JSONWriter.appendDouble(c.affinity, to: &out); key("}")
        }
        key("],\"recommendations\":[")
        for (i, r) in engine.recommendations(for: customer, at: now).enumerated() {
            if i > 0 { key(",") }
            key("{\"item_id\":"); JSONWriter.appendString(r.itemID, to: &out)
            key(",\"score\":"); JSONWriter.appendDouble(r.score, to: &out)
            key(",\"reason\":"); JSONWriter.appendString(r.reason, to: &out); key("}")
        }
        key("],\"last_recommendation_at\":"); time(customer.lastRecommendationAt)
        key("}\n")
        return HTTPResponse(status: 200, contentType: "application/json", body: out)
    }
}
