package dev.brook.broker;

/** A broker or topic config key or value that Brook cannot accept; the message names both. */
public class BrokerConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public BrokerConfigException(String key, String value, String reason) {
        super("Invalid config " + key + "=" + value + ": " + reason);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
