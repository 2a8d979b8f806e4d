package dev.brook.streams;

/** When a windowed aggregation writes results. */
public enum Emit {
    /**
     * Once per window, when it closes: the watermark has passed the window's end plus its allowed lateness. The
     * result is final; no later record changes it (later ones go to the late side output).
     */
    ON_WINDOW_CLOSE,
    /** After every record that changes a window's result, including late records within the allowed lateness. */
    ON_EVERY_UPDATE
}
