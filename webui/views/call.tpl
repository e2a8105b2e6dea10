% rebase('base.tpl', title=_('Call'))
<h1>{{_('Call {id}').format(id=call['id'])}}</h1>
<p>{{_("Leg A sees the box's SIM number, not B's; the box announces B to A before calling B.")}}</p>
% import json
% states = {"waiting": _("waiting"), "dialing": _("dialing"), "alerting": _("ringing"), "connected": _("connected"), "ended": _("ended"), "busy": _("busy"), "no answer": _("no answer"), "failed": _("failed")}
<div id="call" data-id="{{call['id']}}" data-csrf="{{csrf}}" data-states="{{json.dumps(states)}}" data-causes="{{json.dumps(stored_words)}}">
% for leg in ('a', 'b'):
  % item = call['legs'][leg]
  <section class="card leg" id="leg-{{leg}}">
    <h2>{{_('Leg {name}').format(name=leg.upper())}} <span class="number">{{item['number'] or ''}}</span></h2>
    <p>{{_("State")}} <strong class="state" data-state="{{item['state']}}">{{states.get(item['state'], item['state'])}}</strong>
       · <span class="seconds">{{item['seconds']}}</span> s
       <span class="cost">{{money(item['cost']) if item['cost'] is not None else ''}}</span>
       <span class="cause">{{stored_word(item['cause'])}}</span></p>
  </section>
% end
  <p id="summary" data-ended="{{_('Ended, cost {amount}')}}">{{_('Ended, cost {amount}').format(amount=money(call['cost'])) if call['state'] == 'settled' else _('Running')}}</p>
  <button type="button" id="hangup" class="danger" data-done="{{_('Hung up: the call ends.')}}" data-failed="{{_('The call could not be hung up. Try again in a moment.')}}" {{'disabled' if call['state'] == 'settled' else ''}}>{{_("Hang up")}}</button>
  <p class="error" id="call-error" hidden></p>
</div>
<p><a href="/calls/{{call['id']}}/detail" id="detail">{{_("Details of this call: timeline and bill")}}</a> · <a href="/">{{_("Back to the account")}}</a></p>
<script src="/static/call.js"></script>
