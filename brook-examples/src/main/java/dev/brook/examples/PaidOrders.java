package dev.brook.examples;

import dev.brook.examples.Events.Order;
import dev.brook.examples.Events.PaidOrder;
import dev.brook.examples.Events.Payment;
import dev.brook.streams.Job;
import dev.brook.streams.Serdes;
import dev.brook.streams.Stream;
import dev.brook.streams.Watermarks;
import java.time.Duration;

/**
 * A windowed join: orders and payments, both keyed by order id, pair up when the payment's time is within 15
 * minutes of the order's (either way round). An order never paid in that time produces nothing.
 *
 * <pre>java -cp brook-examples/target/brook-examples.jar dev.brook.examples.PaidOrders 127.0.0.1:9092</pre>
 */
public final class PaidOrders {
    private PaidOrders() {
    }

    public static Job job(String ordersTopic, String paymentsTopic, String resultTopic) {
        Job job = Job.named("paid-orders");
        Stream<String, Order> orders = job.source(ordersTopic, Serdes.json(Order.class))
                .withEventTime(Order::time, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)));
        Stream<String, Payment> payments = job.source(paymentsTopic, Serdes.json(Payment.class))
                .withEventTime(Payment::time, Watermarks.boundedOutOfOrderness(Duration.ofSeconds(5)));
        orders.join(payments, Duration.ofMinutes(15),
                        (Order o, Payment p) -> new PaidOrder(o.id(), o.user(), p.amountCents(), o.time(), p.time()))
                .to(resultTopic, Serdes.string(), Serdes.json(PaidOrder.class));
        return job;
    }

    public static void main(String[] args) throws InterruptedException {
        Examples.run(job("orders", "payments", "paid-orders"), args);
    }
}
