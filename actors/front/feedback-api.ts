import {
  type HttpReply,
  feedbackAcceptedReply,
  feedbackRejected,
  parseFeedbackRequest,
  parseTokenNetworkArgument,
  readJsonBody,
  renderError,
  unsupportedTokenNetwork,
} from '../../src/http/index.ts';
import type { ApiDeps, ApiRequest } from './api.ts';

/**
 * POST /api/v1/<token_network>/feedback (spec §2.5), in the reference's order: token
 * network (2003, 2004), body ("JSON payload expected", 2000), then the row: 400 `{}` when
 * it is unknown, for another network or route, or 10 minutes old; else 200 `{}` (also for a
 * repeat, which changes nothing). The client learns nothing more, on purpose.
 */
export function handleFeedback(deps: ApiDeps, rawNetwork: string, req: ApiRequest): HttpReply {
  const tn = parseTokenNetworkArgument(rawNetwork);
  if (!tn.ok) return renderError(tn.error);
  if (deps.network(tn.value) === undefined) return renderError(unsupportedTokenNetwork(rawNetwork));
  const body = readJsonBody(req.contentType, req.body);
  if (!body.ok) return renderError(body.error);
  const parsed = parseFeedbackRequest(body.value);
  if (!parsed.ok) return renderError(parsed.error);
  const { token, success, path } = parsed.value;
  const outcome = deps.feedback.give(token, tn.value, path, success, Date.now());
  deps.metrics.feedback.labels({ outcome }).inc();
  return outcome === 'rejected' ? renderError(feedbackRejected()) : feedbackAcceptedReply();
}
