/** Moby-Dick's text, bundled with the page (its own chunk, loaded in the background) so it works offline. */
import text from '@seqmodel/datasets/data/moby-dick-ch1-107.txt?raw';

export default text;
