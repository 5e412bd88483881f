/*
 * wearable_motion_ring: classifies wrist motion (Standing, Running, Walking,
 * Badminton) every second from the last 10 s of an IMU, with the binary
 * Conv1d network of examples/wearable-motion. The network slides its
 * kernels over the whole window, so the ring buffer only has to be copied
 * out oldest-first, channel-major; an inference takes about 2.3 M
 * instructions (roughly 15 ms at 160 MHz), once a second.
 *
 * Build the library first (from the bnnc repository):
 *   bnnc build examples/wearable-motion/model.onnx --target esp32c3 -o ~/Arduino/libraries/wearable_motion_bnn
 * (or --target stm32f4 / nano33ble / cortex-m0plus ...), then compile this sketch for the board.
 *
 * Sensor: an MPU-6050 (or MPU-6500/9250) on I2C, read at 10 Hz with Wire. The
 * network was trained on BasicMotions smart-watch data whose units the data set
 * does not document (gravity appears to be removed from the accelerometer);
 * readImu() converts to m/s^2 and rad/s and removes gravity with a slow
 * low-pass estimate. For reliable results on your own device, record windows
 * with this sketch's pipeline and retrain (examples/wearable-motion/train.py).
 */
#include <Wire.h>
#include <wearable_motion_bnn.h>

static const uint8_t MPU_ADDRESS = 0x68;
static const unsigned long PERIOD_MS = 100;   /* 10 Hz, as the training data */
static const int STEPS = 100;                 /* a 10 s window */
static const int CHANNELS = 6;                /* acc x/y/z, gyro x/y/z: the model's channel order */
static const int HOP = 10;                    /* classify every 10 new samples (1 s) */

/* Training-set statistics (examples/wearable-motion/README.md): q = (raw - MEAN) / STD * 16. */
static const float MEAN[CHANNELS] = { 2.5528f, -1.3039f, -1.0266f, 0.0191f, -0.0240f, -0.0558f };
static const float STD[CHANNELS] = { 7.0723f, 6.7941f, 3.5464f, 2.1119f, 1.8208f, 3.5166f };
static const char *const ACTIVITY[WEARABLE_MOTION_BNN_CLASSES] = { "Standing", "Running", "Walking", "Badminton" };

/* Ring buffer of quantised samples: ring[t][c], t = the sample slot, oldest at `head`. */
static int8_t ring[STEPS][CHANNELS];
static int head = 0;
static int filled = 0;
static int sinceLast = 0;
static float gravity[3] = { 0.0f, 0.0f, 0.0f };
static wearable_motion_bnn_input_t window[WEARABLE_MOTION_BNN_INPUT_SIZE];
static int32_t scores[WEARABLE_MOTION_BNN_CLASSES];

static int16_t readWord(void)
{
    int16_t hi = Wire.read();
    return (int16_t)((hi << 8) | Wire.read());
}

/* One IMU sample: acceleration without gravity (m/s^2) and angular rate (rad/s). */
static bool readImu(float out[CHANNELS])
{
    Wire.beginTransmission(MPU_ADDRESS);
    Wire.write(0x3B); /* ACCEL_XOUT_H: accel x/y/z, temperature, gyro x/y/z */
    if (Wire.endTransmission(false) != 0 || Wire.requestFrom(MPU_ADDRESS, (uint8_t)14) != 14) {
        return false;
    }
    float acc[3];
    for (int i = 0; i < 3; i++) {
        acc[i] = readWord() * (9.80665f / 16384.0f); /* +/-2 g range */
    }
    (void)readWord(); /* temperature */
    for (int i = 0; i < 3; i++) {
        out[3 + i] = readWord() * (3.14159265f / 180.0f / 131.0f); /* +/-250 deg/s range */
    }
    for (int i = 0; i < 3; i++) {
        gravity[i] += 0.02f * (acc[i] - gravity[i]); /* about 5 s time constant at 10 Hz */
        out[i] = acc[i] - gravity[i];
    }
    return true;
}

static int8_t quantise(float raw, int c)
{
    long q = lroundf((raw - MEAN[c]) / STD[c] * 16.0f);
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

/* The network wants channel-major input, oldest sample first: window[c * STEPS + t]. */
static void copyWindow(void)
{
    for (int t = 0; t < STEPS; t++) {
        const int slot = (head + t) % STEPS;
        for (int c = 0; c < CHANNELS; c++) {
            window[c * STEPS + t] = ring[slot][c];
        }
    }
}

void setup()
{
    Serial.begin(115200);
    Wire.begin();
    Wire.beginTransmission(MPU_ADDRESS);
    Wire.write(0x6B); /* PWR_MGMT_1: wake up */
    Wire.write(0x00);
    Wire.endTransmission();
}

void loop()
{
    static unsigned long next = 0;
    float sample[CHANNELS];
    if ((long)(millis() - next) < 0) {
        return;
    }
    next += PERIOD_MS;
    if (!readImu(sample)) {
        Serial.println("IMU not responding (check wiring and the I2C address)");
        return;
    }
    for (int c = 0; c < CHANNELS; c++) {
        ring[head][c] = quantise(sample[c], c);
    }
    head = (head + 1) % STEPS;
    if (filled < STEPS) {
        filled++;
    }
    if (filled == STEPS && ++sinceLast >= HOP) {
        sinceLast = 0;
        copyWindow();
        const unsigned long start = micros();
        const int activity = wearable_motion_bnn_predict(window, scores);
        const unsigned long took = micros() - start;
        Serial.print(activity >= 0 ? ACTIVITY[activity] : "error");
        Serial.print("  (");
        Serial.print(took);
        Serial.println(" us)");
    }
}
