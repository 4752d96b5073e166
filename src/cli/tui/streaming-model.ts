import type { ModelClient } from '../../models/types.ts';
import type { LocalSetup } from '../session-setup.ts';

const STREAM_FRAME_MS = 30;

/**
 * The model with its reply shown as it is generated: the text so far, redacted as the recorded
 * reply will be, to the stream's listeners. The reply itself is untouched.
 */
export function streaming(
  model: ModelClient,
  setup: LocalSetup,
  onPartial: (partial: { turn: number; text: string }) => void,
  turn: () => number,
): ModelClient {
  return {
    info: model.info,
    async turn(request, onDelta) {
      let text = '';
      let shownAt = 0;
      let timer: NodeJS.Timeout | undefined;
      // At most one redaction of the whole reply per frame: a long reply arrives in many deltas.
      const show = () => {
        timer = undefined;
        shownAt = Date.now();
        onPartial({ turn: turn(), text: setup.guards.redactor.redact(text) });
      };
      try {
        return await model.turn(request, (delta) => {
          onDelta?.(delta);
          if (delta.type !== 'text') return;
          text += delta.text;
          if (timer) return;
          const wait = STREAM_FRAME_MS - (Date.now() - shownAt);
          if (wait <= 0) show();
          else timer = setTimeout(show, wait);
        });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
