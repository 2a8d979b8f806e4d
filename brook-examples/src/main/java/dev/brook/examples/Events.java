package dev.brook.examples;

/** The event types the examples read, as JSON (Jackson maps the record components). Times are epoch milliseconds. */
public final class Events {
    private Events() {
    }

    /** A page view by a user. */
    public record Click(String user, String page, long time) {
    }

    /** A row of the users table, keyed by id. */
    public record User(String id, String name, String country) {
    }

    /** A click with the user's row joined in. */
    public record EnrichedClick(String user, String name, String country, String page, long time) {
    }

    /** A measurement from a sensor. */
    public record Reading(String sensor, double value, long time) {
    }

    /** An order placed, keyed by order id. */
    public record Order(String id, String user, long amountCents, long time) {
    }

    /** A payment for an order, keyed by the order id. */
    public record Payment(String orderId, long amountCents, long time) {
    }

    /** An order with the payment that settled it. */
    public record PaidOrder(String orderId, String user, long amountCents, long orderedAt, long paidAt) {
    }
}
