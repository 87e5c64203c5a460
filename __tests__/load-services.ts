// Every test file starts as the public entry point does: with the library's services registered.
// Tests of one layer import that layer's files directly; the registry they read is filled here.
import "../constructs/services";
