% rebase('base.tpl', title=_('Calls'))
% import json
% states = {"waiting": _("waiting"), "dialing": _("dialing"), "alerting": _("ringing"), "connected": _("connected"), "ended": _("ended"), "busy": _("busy"), "no answer": _("no answer"), "failed": _("failed")}
<h1>{{_("Calls")}}</h1>
<h2>{{_("Running now")}}</h2>
<p class="hint">{{_("Refreshed every 2 seconds.")}}</p>
<div class="scroll">
<table id="live" data-states="{{json.dumps(states)}}">
<thead><tr><th>{{_("Session")}}</th><th>{{_("Account")}}</th><th>{{_("Kind")}}</th><th>{{_("For")}}</th><th>{{_("Since")}}</th><th>{{_("Leg A")}}</th><th>{{_("Leg B")}}</th></tr></thead>
<tbody>
% for call in live:
<tr data-session="{{call['id']}}">
  <td><a href="/calls/{{call['id']}}/detail">{{call['id']}}</a></td><td>{{call['account']}}</td><td>{{stored_word(call['kind'])}}</td><td>{{call['number']}}</td>
  <td class="since">{{when(call['started_at'])}}</td>
  % for leg in ('a', 'b'):
  <td>{{call['legs'][leg]['number'] or ''}} <span class="state" data-state="{{call['legs'][leg]['state']}}">{{states.get(call['legs'][leg]['state'], call['legs'][leg]['state'])}}</span> {{call['legs'][leg]['seconds']}} s</td>
  % end
</tr>
% end
</tbody>
</table>
</div>
<p id="no-live"{{!'' if not live else ' hidden'}}>{{_("No call is running.")}}</p>

<h2>{{_("History")}}</h2>
<form method="get" action="/admin/calls" class="card filters" role="search">
  <label for="account">{{_("Account")}}</label>
  <select id="account" name="account">
    <option value="">{{_("all")}}</option>
    % for account in accounts:
    <option value="{{account.id}}"{{!' selected' if filters['account'] == str(account.id) else ''}}>{{account.name}}</option>
    % end
  </select>
  % if problems.get('account'):
  <p class="error" id="account-error">{{problems['account']}}</p>
  % end
  <label for="number">{{_("Number contains")}}</label>
  <input id="number" name="number" value="{{filters['number']}}" maxlength="40" inputmode="tel">
  % for field, label in (('from', _('From day')), ('to', _('To day (included)'))):
  <label for="{{field}}">{{label}}</label>
  <input id="{{field}}" name="{{field}}" type="date" value="{{filters[field]}}">
  % if problems.get(field):
  <p class="error" id="{{field}}-error">{{problems[field]}}</p>
  % end
  % end
  <label for="status">{{_("Status")}}</label>
  <select id="status" name="status">
    <option value="">{{_("all")}}</option>
    % status_words = {'answered': _('answered'), 'not answered': _('not answered'), 'running': _('running')}
    % for status in statuses:
    <option value="{{status}}"{{!' selected' if filters['status'] == status else ''}}>{{status_words.get(status, status)}}</option>
    % end
  </select>
  % if problems.get('status'):
  <p class="error" id="status-error">{{problems['status']}}</p>
  % end
  <button type="submit">{{_("Show")}}</button>
  <a class="button" id="export" href="{{export}}">{{_("Export CSV")}}</a>
</form>
<div class="scroll">
<table id="history">
<thead><tr><th>{{_("Session")}}</th><th>{{_("Account")}}</th><th>{{_("Leg")}}</th><th>{{_("Number")}}</th><th class="more">{{_("Modem")}}</th><th>{{_("Start")}}</th>
<th class="more">{{_("Answer")}}</th><th class="more">{{_("End")}}</th><th>{{_("Duration")}}</th><th class="rate">{{_("Rate")}}</th><th class="cost">{{_("Cost")}}</th><th>{{_("Cause")}}</th></tr></thead>
<tbody>
% for leg in legs.rows:
<tr>
  <td>{{!('<a href="/calls/%d/detail">%d</a>' % (leg.session_id, leg.session_id)) if leg.session_id else ''}}</td><td>{{leg.account_name or ''}}</td><td>{{leg.role}}</td>
  <td>{{leg.number}}</td><td>{{leg.modem}}</td><td>{{when(leg.started_at)}}</td>
  <td>{{when(leg.answered_at)}}</td><td>{{when(leg.ended_at) or 'running'}}</td>
  <td>{{duration(leg)}} s</td><td>{{leg.rate_prefix or ''}}</td><td>{{money(leg.cost)}}</td><td>{{stored_word(leg.cause)}}</td>
</tr>
% end
</tbody>
</table>
</div>
% if not legs.rows:
<p id="no-history">{{_("No call matches.")}}</p>
% end
% include('pager.tpl', page=legs, link=link)
<script src="/static/admin_calls.js"></script>
