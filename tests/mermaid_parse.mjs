// Mermaid's own parser over diagrams read from standard input (a JSON array of texts).
// Prints a JSON array, one entry per text: {ok, type, nodes, edges, subgraphs} or {ok: false, error}.
// Mermaid sanitizes labels with DOMPurify, which needs a DOM: jsdom stands in for the browser.
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const results = [];
for (const text of texts) {
  try {
    const { diagramType } = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    results.push({
      ok: true,
      type: diagramType,
      nodes: db.getVertices ? db.getVertices().size : null,
      edges: db.getEdges ? db.getEdges().length : null,
      subgraphs: db.getSubGraphs ? db.getSubGraphs().length : null,
    });
  } catch (error) {
    results.push({ ok: false, error: String(error && error.message ? error.message : error) });
  }
}
process.stdout.write(JSON.stringify(results));
