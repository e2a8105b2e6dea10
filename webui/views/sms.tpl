% rebase('base.tpl', title=_('SMS'))
<h1>{{_("SMS")}}</h1>
<nav class="tabs">
% for key, label in views.items():
  % if key == view:
  <strong>{{_(label)}}</strong>
  % else:
  <a href="/admin/sms?show={{key}}">{{_(label)}}</a>
  % end
% end
</nav>
% if notice:
<p class="notice" id="notice">{{notice}}</p>
% end
% if error:
<p class="error" id="error">{{error}}</p>
% end
<div class="scroll">
% if view == 'in':
<table id="sms-in">
<thead><tr><th>{{_("No.")}}</th><th>{{_("Received")}}</th><th>{{_("Modem")}}</th><th>{{_("From")}}</th><th>{{_("Text")}}</th><th>{{_("Status")}}</th><th>{{_("What was done")}}</th></tr></thead>
<tbody>
% for row in rows.rows:
<tr><td>{{row.id}}</td><td>{{when(row.received_at)}}</td><td>{{row.modem}}</td><td>{{row.sender}}</td>
<td>{{row.text}}</td><td class="sms-command-state">{{row.state}}{{' (incomplete)' if row.incomplete else ''}}</td><td>{{row.result}}</td></tr>
% end
</tbody>
</table>
% elif view == 'out':
<table id="sms-out">
<thead><tr><th>{{_("No.")}}</th><th>{{_("Queued")}}</th><th>{{_("To")}}</th><th>{{_("Kind")}}</th><th>{{_("Text")}}</th><th>{{_("Status")}}</th><th>{{_("Tries")}}</th><th>{{_("Modem")}}</th><th>{{_("Sent")}}</th><th>{{_("Delivery")}}</th><th>{{_("Reason")}}</th><th></th></tr></thead>
<tbody>
% for row in rows.rows:
<tr data-id="{{row.id}}"><td>{{row.id}}</td><td>{{when(row.created_at)}}</td><td>{{row.number}}</td><td>{{stored_word(row.kind)}}</td>
<td>{{row.text}}</td><td class="sms-state" data-state="{{row.state}}">{{stored_word(row.state)}}</td><td>{{row.attempts}}</td><td>{{row.modem or ''}}</td>
<td>{{when(row.sent_at)}}</td>
<td class="sms-delivery" title="{{said(row.delivery_status or '')}}">{{stored_word(row.delivery)}}{{(' ' + when(row.delivered_at)) if row.delivered_at else ''}}{{(': ' + said(row.delivery_status or '')) if row.delivery == 'failed' else ''}}</td>
<td>{{row.reason}}</td>
<td>
  % if row.state == 'failed':
  <form method="post" action="/admin/sms/out/{{row.id}}/retry" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit">{{_("Retry")}}</button>
  </form>
  % end
</td></tr>
% end
</tbody>
</table>
% else:
<p class="hint">{{_("SMS the box could not decode or store: kept raw (the PDU), removed from the SIM, never executed.")}}</p>
<table id="sms-quarantine">
<thead><tr><th>{{_("No.")}}</th><th>{{_("Received")}}</th><th>{{_("Modem")}}</th><th>{{_("Sender as sent")}}</th><th>{{_("Why")}}</th><th>{{_("PDU")}}</th></tr></thead>
<tbody>
% for row in rows.rows:
<tr><td>{{row.id}}</td><td>{{when(row.received_at)}}</td><td>{{row.modem}}</td><td>{{row.sender_raw}}</td>
<td>{{row.error or ''}}</td><td class="pdu">{{row.pdu}}</td></tr>
% end
</tbody>
</table>
% end
</div>
% if not rows.rows:
<p id="none">{{_("Nothing here.")}}</p>
% end
% include('pager.tpl', page=rows, link=link)
