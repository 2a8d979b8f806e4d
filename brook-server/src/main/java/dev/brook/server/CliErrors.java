package dev.brook.server;

import java.util.concurrent.ExecutionException;

/** Turns an exception into the one line a user should see. */
final class CliErrors {
    private CliErrors() {
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException
                || (t instanceof RuntimeException && t.getClass() == RuntimeException.class)) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }
}
