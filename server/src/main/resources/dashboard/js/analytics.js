// Analytics: usage per day (chats by source, credits, leads, escalations) and delivery success and
// latency per endpoint, for the account or one chatbot, over a chosen range of UTC days.
import * as api from './api.js';
import { h, clear, fmt, shortUrl, utcDay } from './dom.js';
import { announce, errorSlot, pageHeader, showError, spinner } from './ui.js';
import {
  chartFigure, columnChart, lineChart, barRows, sourceColor, successBand, COLORS, SUCCESS_BANDS,
} from './charts.js';

const PRESETS = [['7 days', 7], ['30 days', 30], ['90 days', 90]];

export function mount(root) {
  let alive = true;
  let generation = 0;
  root.append(pageHeader('Analytics',
    'Usage of your chatbots and how well their webhooks are delivered, per day (UTC). Test events are not counted.'));

  const botSel = h('select', { id: 'analytics-chatbot', name: 'chatbot_id' }, h('option', { value: '', text: 'Whole account' }));
  const from = h('input', { id: 'analytics-from', name: 'from', type: 'date', value: utcDay(-13), required: true });
  const to = h('input', { id: 'analytics-to', name: 'to', type: 'date', value: utcDay(0), required: true });
  const showBtn = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Show' });
  const presets = h('div', { class: 'presets', role: 'group', 'aria-label': 'Quick ranges' },
    PRESETS.map(([label, days]) => h('button', {
      type: 'button', class: 'btn btn-small btn-quiet', text: `Last ${label}`,
      onclick: () => { from.value = utcDay(1 - days); to.value = utcDay(0); load(); },
    })));
  const error = errorSlot();
  const form = h('form', { class: 'filters card analytics-filters', 'aria-label': 'Choose what to show' },
    h('div', { class: 'field' }, h('label', { for: botSel.id, text: 'Chatbot' }), botSel),
    h('div', { class: 'field' }, h('label', { for: from.id, text: 'From' }), from),
    h('div', { class: 'field' }, h('label', { for: to.id, text: 'To' }), to),
    h('div', { class: 'field field-button' }, showBtn),
    presets);
  const results = h('div', { class: 'analytics', id: 'analytics-results', 'aria-live': 'polite', 'aria-busy': 'true' });
  root.append(form, error, results);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  botSel.addEventListener('change', () => load());

  async function load() {
    const gen = ++generation;
    showError(error, null);
    results.setAttribute('aria-busy', 'true');
    if (!results.firstChild) {
      results.append(spinner('Loading analytics…'));
    }
    results.classList.add('is-loading');
    const params = { from: from.value, to: to.value, chatbot_id: botSel.value };
    try {
      const [usage, deliveries] = await Promise.all([
        api.get(api.withQuery('/v1/analytics/usage', params)),
        api.get(api.withQuery('/v1/analytics/deliveries', params)),
      ]);
      if (gen !== generation || !alive) {
        return;
      }
      render(results, usage, deliveries, botSel.value ? botSel.selectedOptions[0].textContent : 'your account');
      announce(`Analytics from ${fmt.day(usage.from)} to ${fmt.day(usage.to)}: ${fmt.count(usage.totals.chats, 'chat')}`);
    } catch (e) {
      if (gen === generation) {
        showError(error, e, 'Could not load analytics');
        if (results.querySelector('.loading')) {
          clear(results);
        }
      }
    } finally {
      if (gen === generation) {
        results.setAttribute('aria-busy', 'false');
        results.classList.remove('is-loading');
      }
    }
  }

  (async () => {
    try {
      const page = await api.get('/v1/chatbots');
      page.data.forEach((b) => botSel.append(h('option', { value: b.id, text: b.name })));
    } catch (e) {
      showError(error, e, 'Could not load your chatbots');
    }
  })();
  load();
  return () => { alive = false; };
}

function render(root, usage, deliveries, scope) {
  clear(root);
  const days = usage.days;
  const labels = days.map((d) => fmt.day(d.day));
  const sources = Object.entries(usage.chats_by_source).sort((a, b) => b[1] - a[1]).map(([name]) => name);
  const t = usage.totals;
  const eps = deliveries.endpoints;
  const attempts = eps.reduce((n, e) => n + e.attempts, 0);
  const successes = eps.reduce((n, e) => n + e.successes, 0);

  root.append(h('ul', { class: 'kpis', 'aria-label': `Totals for ${scope}` },
    kpi('Chats', fmt.number(t.chats)),
    kpi('Message credits', fmt.compact(t.credits)),
    kpi('Leads', fmt.number(t.leads)),
    kpi('Escalations', fmt.number(t.escalations)),
    kpi('Delivery success', attempts ? fmt.percent(successes / attempts) : '—', attempts ? fmt.count(attempts, 'attempt') : 'no attempts')));

  const emptyUsage = t.chats === 0 && t.credits === 0 && t.leads === 0 && t.escalations === 0;
  const usageNote = emptyUsage
    ? 'Nothing in this range yet. Chats appear here as the platform posts events; try a longer range.' : null;

  const chats = chartFigure({
    title: 'Chats per day by source',
    description: `${fmt.count(t.chats, 'chat')} from ${fmt.day(usage.from)} to ${fmt.day(usage.to)}`,
    legend: sources.map((name, i) => ({ name, color: sourceColor(name, i) })),
    draw: columnChart({
      labels,
      series: (sources.length ? sources : ['chats']).map((name, i) => ({
        name, color: sourceColor(name, i), values: days.map((d) => d.chats_by_source[name] || 0),
      })),
    }),
    note: usageNote,
    table: {
      headers: ['Day', ...sources, 'Total'],
      rows: days.map((d) => [d.day, ...sources.map((x) => fmt.number(d.chats_by_source[x] || 0)), fmt.number(d.chats)]),
    },
  });
  const credits = chartFigure({
    title: 'Message credits per day',
    description: `${fmt.compact(t.credits)} ${t.credits === 1 ? 'credit' : 'credits'} in total`,
    draw: columnChart({ labels, integer: false, series: [{ name: 'Credits', color: COLORS.credits, values: days.map((d) => d.credits) }] }),
    table: { headers: ['Day', 'Credits'], rows: days.map((d) => [d.day, fmt.compact(d.credits)]) },
  });
  const leads = chartFigure({
    title: 'Leads and escalations per day',
    description: `${fmt.count(t.leads, 'lead')}, ${fmt.count(t.escalations, 'live chat escalation')}`,
    legend: [{ name: 'Leads', color: COLORS.leads }, { name: 'Escalations', color: COLORS.escalations }],
    draw: columnChart({
      labels,
      grouped: true,
      series: [
        { name: 'Leads', color: COLORS.leads, values: days.map((d) => d.leads) },
        { name: 'Escalations', color: COLORS.escalations, values: days.map((d) => d.escalations) },
      ],
    }),
    table: { headers: ['Day', 'Leads', 'Escalations'], rows: days.map((d) => [d.day, d.leads, d.escalations]) },
  });

  root.append(h('section', { class: 'chart-section', 'aria-labelledby': 'usage-heading' },
    h('h2', { id: 'usage-heading', text: 'Usage' }),
    h('div', { class: 'chart-grid' }, h('div', { class: 'card chart-card wide' }, chats), h('div', { class: 'card chart-card' }, credits), h('div', { class: 'card chart-card' }, leads))));

  const deliverySection = h('section', { class: 'chart-section', 'aria-labelledby': 'delivery-heading' },
    h('h2', { id: 'delivery-heading', text: 'Webhook delivery' }));
  root.append(deliverySection);
  if (eps.length === 0) {
    deliverySection.append(h('div', { class: 'card' }, h('div', { class: 'empty' },
      h('p', { class: 'empty-title', text: 'No endpoints to measure' }),
      h('p', { class: 'empty-text', text: 'Add an endpoint in Settings → Webhooks; its success rate and latency appear here once events are delivered.' }),
      h('div', { class: 'empty-actions' }, h('a', { class: 'btn btn-primary', href: '#/webhooks', text: 'Go to Webhooks' })))));
    return;
  }
  const names = eps.map((e) => shortUrl(e.url, 48));
  const measured = eps.filter((e) => e.attempts > 0).length;
  const deliveryNote = measured === 0 ? 'No delivery attempts in this range yet.' : null;
  // Success rates are coloured by band (the legend says which colour means what); axis ticks are whole
  // percentages, values as precise as the tables (99.5 % is not "100 %").
  const bandLegend = SUCCESS_BANDS.map((b) => ({ name: b.legend, color: b.color }));
  const percentTick = (v) => `${Math.round(v)} %`;
  const percentValue = (v) => fmt.percent(v / 100);
  const rate = chartFigure({
    title: 'Delivery success rate per endpoint',
    description: 'Share of attempts answered with 2xx',
    legend: bandLegend,
    draw: barRows({
      categories: names,
      max: 100,
      integer: false,
      format: percentTick,
      valueFormat: percentValue,
      series: [{ name: 'Success rate', color: COLORS.rate, band: successBand, values: eps.map((e) => e.success_rate * 100) }],
    }),
    note: deliveryNote,
  });
  const latency = chartFigure({
    title: 'Delivery latency per endpoint',
    description: 'Median (p50) and 95th percentile (p95), in milliseconds',
    legend: [{ name: 'p50', color: COLORS.p50 }, { name: 'p95', color: COLORS.p95 }],
    draw: barRows({
      categories: names,
      format: (v) => fmt.ms(Math.round(v)),
      series: [
        { name: 'p50', color: COLORS.p50, values: eps.map((e) => e.p50_ms) },
        { name: 'p95', color: COLORS.p95, values: eps.map((e) => e.p95_ms) },
      ],
    }),
    note: deliveryNote,
  });
  const perDay = new Map(days.map((d) => [d.day, { attempts: 0, successes: 0 }]));
  eps.forEach((e) => e.days.forEach((d) => {
    const sum = perDay.get(d.day);
    if (sum) {
      sum.attempts += d.attempts;
      sum.successes += d.successes;
    }
  }));
  const daily = days.map((d) => perDay.get(d.day));
  const trend = chartFigure({
    title: 'Delivery success rate per day',
    description: 'All endpoints in view; days without attempts are left blank',
    legend: bandLegend,
    draw: lineChart({
      labels,
      max: 100,
      integer: false,
      format: percentTick,
      valueFormat: percentValue,
      series: [{
        name: 'Success rate',
        color: COLORS.rate,
        band: successBand,
        values: daily.map((x) => (x.attempts ? (100 * x.successes) / x.attempts : null)),
      }],
    }),
    note: deliveryNote,
    table: {
      headers: ['Day', 'Attempts', 'Succeeded', 'Success rate'],
      rows: days.map((d, i) => [d.day, daily[i].attempts, daily[i].successes, daily[i].attempts ? fmt.percent(daily[i].successes / daily[i].attempts) : '—']),
    },
  });
  deliverySection.append(
    h('div', { class: 'chart-grid' }, h('div', { class: 'card chart-card' }, rate), h('div', { class: 'card chart-card' }, latency),
      h('div', { class: 'card chart-card wide' }, trend)),
    h('div', { class: 'card' }, h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Per endpoint' }, h('table', { class: 'endpoint-stats' },
      h('caption', { text: 'Per endpoint' }),
      h('thead', {}, h('tr', {}, ['Endpoint', 'Attempts', 'Succeeded', 'Success rate', 'p50', 'p95'].map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, eps.map((e) => h('tr', {},
        h('th', { scope: 'row' }, h('code', { class: 'endpoint-url', text: shortUrl(e.url, 60), title: e.url })),
        h('td', { text: fmt.number(e.attempts) }),
        h('td', { text: fmt.number(e.successes) }),
        h('td', { text: e.attempts ? fmt.percent(e.success_rate) : '—' }),
        h('td', { text: e.attempts ? fmt.ms(e.p50_ms) : '—' }),
        h('td', { text: e.attempts ? fmt.ms(e.p95_ms) : '—' }))))))));
}

function kpi(label, value, sub) {
  return h('li', { class: 'kpi' },
    h('span', { class: 'kpi-label', text: label }),
    h('span', { class: 'kpi-value', text: value }),
    sub ? h('span', { class: 'kpi-sub', text: sub }) : null);
}
