/**
 * Registers the gradients of every tfjs-core kernel. tfjs-core's own entry point does not (only the
 * `@tensorflow/tfjs` umbrella does), and without them `valueAndGrads` fails with "gradient function not found".
 * The registry is global to the process, so importing this twice (or alongside the umbrella) is harmless. The
 * build bundles this file's target, because tfjs-core ships it only as extensionless ES modules that Node cannot
 * load on its own.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
