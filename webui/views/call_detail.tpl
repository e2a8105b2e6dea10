% rebase('base.tpl', title=_('Call {id}').format(id=call['id']))
% roles = {'callback': _('the caller, called back'), 'destination': _('the destination'), 'trigger': _('the call in')}
<link rel="stylesheet" href="/static/dashboard.css">
% states = {'dialing': _('dialing'), 'alerting': _('ringing'), 'connected': _('connected'), 'ended': _('ended')}
<h1>{{_('Call {id}').format(id=call['id'])}}</h1>
%# While the call runs, call_detail.js fetches this page again on each of its live events
%# and puts this part of it in place of the one shown: the page is drawn here alone.
<div id="call-live" data-id="{{call['id']}}" data-state="{{call['state']}}" data-legs-over="{{'yes' if legs_over else 'no'}}">
<p id="call-summary">{{stored_word(call['kind'])}} · {{call['number']}} · {{when(call['started_at'])}}
% if call['state'] == 'running':
 · <strong>{{_('running')}}</strong>
% else:
 · {{_('cost {amount}').format(amount=money(call['cost']))}}
% end
</p>
<h2>{{_('Legs')}}</h2>
% if not call['legs']:
<p>{{_('No leg was dialled.')}}</p>
% end
<div class="legs">
% for leg in call['legs']:
<section class="card leg-timeline" id="leg-{{leg['place']}}" data-role="{{leg['role']}}">
  <h3>{{_('Leg {place}').format(place=leg['place'])}}: {{roles.get(leg['role'], leg['role'])}}</h3>
  <p><span class="number">{{leg['number']}}</span>{{(' · ' + _('modem {name}').format(name=leg['modem'])) if leg['modem'] else ''}}</p>
  <ol class="timeline">
  % for item in leg['states']:
    <li data-state="{{item['state']}}"><time>{{clock(item['at'])}}</time>
      <span class="after">+{{figure(item['after'])}} s</span>
      <strong>{{states.get(item['state'], item['state'])}}</strong>{{(' (' + stored_word(item['cause']) + ')') if item['cause'] and item['cause'] != item['state'] else ''}}</li>
  % end
  </ol>
</section>
% end
</div>
% if not call['kept']:
<p>{{_('This call is older than the timelines the box keeps: its legs come from its call records.')}}</p>
% end
<h2>{{_('Prompts and keys')}}</h2>
% if heard:
<div class="scroll">
<table id="heard">
<thead><tr><th scope="col">{{_('Time')}}</th><th scope="col">{{_('After')}}</th><th scope="col">{{_('What')}}</th></tr></thead>
<tbody>
% for item in heard:
<tr class="{{item['kind']}}"><td>{{clock(item['at'])}}</td><td>+{{figure(item['after'])}} s</td>
<td>{{_('Keys typed:') if item['kind'] == 'key' else _('Prompt:')}} <span class="what">{{item['what'] if item['kind'] == 'key' else words(item['what'])}}</span></td></tr>
% end
</tbody>
</table>
</div>
% if any(item['kind'] == 'key' for item in heard):
<p class="hint">{{_('{mask} is a key kept secret: the digits of account numbers and PINs, and keys sent to the other side of a call, are never stored.').format(mask=secret)}}</p>
% end
% else:
<p>{{_('No prompt played and no key typed.')}}</p>
% end
<h2>{{_('Bill')}}</h2>
% if call['bill']:
<div class="scroll">
<table id="bill">
<thead><tr><th scope="col">{{_('Leg')}}</th><th scope="col">{{_('Number')}}</th><th scope="col">{{_('Rate')}}</th><th scope="col">{{_('Talked')}}</th><th scope="col">{{_('Billed')}}</th><th scope="col">{{_('Cost')}}</th><th scope="col">{{_('Ended by')}}</th></tr></thead>
<tbody>
% for line in call['bill']:
  % talked = round(line['ended_at'] - line['answered_at']) if line['answered_at'] and line['ended_at'] else 0
<tr><td>{{roles.get(line['role'], line['role'])}}</td><td>{{line['number']}}</td>
<td>{{('+' + line['rate_prefix']) if line['rate_prefix'] else '—'}}{{(' ' + line['rate']) if line['rate'] else ''}}</td>
<td>{{talked}} s</td><td>{{line['billed_seconds']}} s</td><td>{{money(line['cost'])}}</td><td>{{stored_word(line['cause'])}}</td></tr>
% end
</tbody>
<tfoot><tr><th scope="row" colspan="5">{{_('Total')}}</th><td id="bill-total">{{money(call['cost'])}}</td><td></td></tr></tfoot>
</table>
</div>
% else:
<p>{{_('Nothing billed.') if call['state'] != 'running' else _('The bill is written when the call ends.')}}</p>
% end
</div>
<script src="/static/call_detail.js"></script>
% if user.is_admin:
<p><a href="/admin/calls">{{_('All calls')}}</a></p>
% else:
<p><a href="/calls">{{_('Call history')}}</a></p>
% end
