/* An empty stand-in for libpaho-mqtt3a.so.1 (runtime_libraries_test.cpp): a library of the
   right name without the functions edgeferry calls. */
int ef_fake_paho(void) { return 0; }
