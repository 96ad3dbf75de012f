// @ts-check
/*
 * Card markdown, the subset Teams renders in a TextBlock (bold, italic, links, lists, mentions):
 * the text is escaped first and only then given the few tags Teams supports.
 */
import { escapeHtml } from './escapeHtml.js';

function renderInline(escaped) {
  var links = [];
  // Backslash escapes (\*, \_, \[ ...) show the character itself, as in Teams.
  var literals = [];
  escaped = escaped.replace(/\\([\\`*_[\]~])/g, function (_whole, char) {
    literals.push(char);
    return '\u0001' + (literals.length - 1) + '\u0001';
  });
  var text = escaped.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, function (whole, label, url) {
    if (!/^(https?:|mailto:)/i.test(url)) return whole;
    links.push('<a href="' + url + '" rel="noopener noreferrer">' + label + '</a>');
    return '\u0000' + (links.length - 1) + '\u0000';
  });
  text = text
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?![\w*])/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/&lt;at&gt;([\s\S]*?)&lt;\/at&gt;/g, '<span class="mention">$1</span>');
  // The NUL and SOH sentinels cannot occur in card text that went through escapeHtml.
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u0000(\d+)\u0000/g, function (_whole, index) {
        return links[Number(index)];
      })
      // eslint-disable-next-line no-control-regex
      .replace(/\u0001(\d+)\u0001/g, function (_whole, index) {
        return literals[Number(index)];
      })
  );
}

/** HTML for card markdown: paragraphs, bullet and numbered lists, inline marks. */
export function renderMarkdown(source) {
  var blocks = escapeHtml(String(source).replace(/\r\n?/g, '\n')).split(/\n\s*\n/);
  return blocks
    .map(function (block) {
      var lines = block.split('\n').filter(function (line) {
        return line.trim() !== '';
      });
      if (lines.length === 0) return '';
      var bullets = lines.every(function (line) {
        return /^\s*[-*+]\s+/.test(line);
      });
      var numbers = lines.every(function (line) {
        return /^\s*\d+[.)]\s+/.test(line);
      });
      if (bullets || numbers) {
        var items = lines.map(function (line) {
          return '<li>' + renderInline(line.replace(/^\s*([-*+]|\d+[.)])\s+/, '')) + '</li>';
        });
        var tag = bullets ? 'ul' : 'ol';
        var first = numbers ? /^\s*(\d+)/.exec(lines[0]) : null;
        var start = first ? Number(first[1]) : 1;
        var startAttr = tag === 'ol' && start !== 1 ? ' start="' + start + '"' : '';
        return '<' + tag + startAttr + '>' + items.join('') + '</' + tag + '>';
      }
      return '<p>' + renderInline(lines.join('\n')) + '</p>';
    })
    .join('');
}
